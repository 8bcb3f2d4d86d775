"""The alliance proper: the registry and annual targets, and community coordination —
needs, resources, claims (双清单、双认领), the mediation studio and the community pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Party Building Alliance")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        from alliance import permissions, services  # noqa: F401
        from alliance.reminders import register_reminders
        from alliance.sections import organization_section_context
        from branches.sections import register_organization_section

        register_reminders()
        register_organization_section(
            order=60,
            template="alliance/includes/_organization_community.html",
            context=organization_section_context,
        )
