"""The branches app: its rules (the organization page's sections are registered by the apps
above it)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BranchesConfig(AppConfig):
    name = "branches"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        from branches import permissions  # noqa: F401
        from branches.reminders import register_reminders
        from branches.selectors import COMMUNITIES, WARNINGS

        register_reminders()
        WARNINGS.connect()
        COMMUNITIES.connect()
