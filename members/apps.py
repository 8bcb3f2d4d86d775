from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def organization_section_context(request, organization) -> dict:
    """The members section of the organization page (one query)."""
    from django.urls import reverse

    from members.selectors import organization_member_figures

    user = request.user
    url = None
    if user.has_perm("members.view_member"):
        url = f"{reverse('members:list')}?organization={organization.pk}"
    return {"org_members": organization_member_figures(organization), "org_members_url": url}


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # rules' autodiscover looks for `rules.py`; the house keeps rules in permissions.py.
        import members.permissions  # noqa: F401
        from branches.sections import register_organization_section

        register_organization_section(
            order=20,
            template="members/includes/_organization_members.html",
            context=organization_section_context,
        )
