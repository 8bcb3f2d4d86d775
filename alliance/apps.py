from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Party Building Alliance")

    def ready(self) -> None:
        # The dashboard's cache invalidation listens to the models under its figures.
        from alliance import dashboard, permissions  # noqa: F401
