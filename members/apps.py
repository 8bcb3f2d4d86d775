"""The members app: its rules and its organization-page section."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # rules' autodiscover looks for `rules.py`; the house keeps rules in permissions.py.
        import members.permissions  # noqa: F401
        from branches.sections import register_organization_section
        from members.reminders import register_reminders
        from members.sections import (
            organization_honours_context,
            organization_section_context,
        )
        from members.selectors import MEMBER_FIGURES, MEMBER_ROWS

        register_reminders()
        MEMBER_FIGURES.connect()
        MEMBER_ROWS.connect()

        register_organization_section(
            order=20,
            template="members/includes/_organization_members.html",
            context=organization_section_context,
        )
        register_organization_section(
            order=25,
            template="members/includes/_organization_honours.html",
            context=organization_honours_context,
        )
