from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        from assessment import permissions  # noqa: F401
