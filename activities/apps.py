"""The activities app: its rules, the held-activity signal and its organization-page section."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        from activities import permissions, signals  # noqa: F401
        from activities.reminders import register_reminders
        from activities.selectors import ACTIVITY_ROWS, OVERDUE
        from activities.views import organization_section_context
        from branches.sections import register_organization_section

        register_reminders()
        OVERDUE.connect()
        ACTIVITY_ROWS.connect()
        register_organization_section(
            order=30,
            template="activities/includes/_organization_activities.html",
            context=organization_section_context,
        )
