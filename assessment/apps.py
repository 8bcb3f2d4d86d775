"""The assessment app: its rules and its organization-page section."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        from assessment import permissions  # noqa: F401
        from assessment.reminders import register_reminders
        from assessment.sections import organization_section_context
        from branches.sections import register_organization_section

        register_reminders()
        register_organization_section(
            order=50,
            template="assessment/includes/_organization_assessment.html",
            context=organization_section_context,
        )
