"""The venues app: its rules and its organization-page section."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("Venues")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        from branches.sections import register_organization_section
        from core.profile import register_profile_section
        from venues import permissions  # noqa: F401
        from venues.reminders import register_reminders
        from venues.sections import organization_section_context
        from venues.views.feeds import profile_feeds_context

        register_reminders()

        register_organization_section(
            order=40,
            template="venues/includes/_organization_venues.html",
            context=organization_section_context,
        )
        register_profile_section(
            order=50,
            template="venues/includes/_profile_feeds.html",
            context=profile_feeds_context,
        )
