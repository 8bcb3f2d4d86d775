"""The top floor: the 首页 dashboard, the reports page and annual workbook, and `seed_demo`'s
orchestration. The only app that imports every other one."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and reports")

    def ready(self) -> None:
        # The 首页 cache is dropped when a write under its figures commits.
        from django.contrib.auth.signals import user_logged_in

        from home import cache, permissions  # noqa: F401 (rules live in permissions.py)
        from home.views import large_text_from_login_page

        cache.connect_invalidation()
        user_logged_in.connect(large_text_from_login_page, dispatch_uid="home.large_text_at_login")
