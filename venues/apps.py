from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _organization_section(request, organization) -> dict:
    from venues.selectors import organization_venue_summary

    return organization_venue_summary(organization)


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("Venues")

    def ready(self) -> None:
        from branches.sections import register_organization_section

        register_organization_section(
            order=40,
            template="venues/includes/_organization_venues.html",
            context=_organization_section,
        )
