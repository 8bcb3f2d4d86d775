from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Party Building Alliance")

    def ready(self) -> None:
        # The dashboard's cache invalidation listens to the models under its figures.
        from alliance import dashboard, permissions  # noqa: F401
        from alliance.community_sections import organization_section_context
        from branches.sections import register_organization_section

        register_organization_section(
            order=60,
            template="alliance/includes/_organization_community.html",
            context=organization_section_context,
        )
