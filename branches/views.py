"""Organization pages (/branches/): list, export, tree, organization page, create / edit /
dissolve, committee terms and seats. Class views with core.views.PortalPermissionMixin."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View
from django_filters.views import FilterView

from branches import selectors, services
from branches.filters import OrganizationFilter
from branches.forms import (
    DissolveForm,
    OrganizationForm,
    PositionForm,
    TermForm,
)
from branches.models import CommitteePosition, Kind, Organization, Status
from branches.sections import organization_sections
from core.job_views import deliver_export
from core.views import (
    ActionView,
    FormPageView,
    PortalPermissionMixin,
    add_service_error,
    service_error_message,
)
from core.widgets import search_response

# --- Organizations ------------------------------------------------------------------------


class OrganizationListView(PortalPermissionMixin, FilterView):
    permission_required = "branches.view_organization"
    filterset_class = OrganizationFilter
    template_name = "branches/organization_list.html"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        return selectors.organization_rows_for(self.request.user).order_by("path")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Warnings for the page's rows only; the banner's figure is one count query.
        context["object_list"] = selectors.with_warnings_for(list(context["object_list"]))
        context["needs_attention_count"] = selectors.needs_attention_count(self.request.user)
        return context


class OrganizationExportView(PortalPermissionMixin, View):
    """Excel download of exactly the filtered list (same FilterSet as the page)."""

    permission_required = "branches.export_organization"

    def get(self, request: HttpRequest) -> HttpResponse:
        # branches.exports.organizations_export; a large list becomes a job.
        return deliver_export(request, "branches.organizations")


@dataclass
class TreeNode:
    organization: object
    depth: int
    has_children: bool
    closes: range
    child_count: int = 0


def tree_nodes(organizations: list) -> list[TreeNode]:
    """A flat, path-ordered list → nodes that say when to open and close nested lists."""
    nodes: list[TreeNode] = []
    if not organizations:
        return nodes
    base = min(org.depth for org in organizations)
    child_counts = Counter(org.parent_id for org in organizations)
    for index, org in enumerate(organizations):
        following = organizations[index + 1] if index + 1 < len(organizations) else None
        has_children = bool(following and following.path.startswith(org.path))
        if has_children:
            closes = range(0)
        else:
            next_depth = following.depth if following else base
            closes = range(max(0, org.depth - next_depth))
        nodes.append(
            TreeNode(org, org.depth - base, has_children, closes, child_counts.get(org.pk, 0))
        )
    return nodes


class OrganizationTreeView(PortalPermissionMixin, TemplateView):
    permission_required = "branches.view_organization"
    template_name = "branches/organization_tree.html"

    def get_context_data(self, **kwargs):
        organizations = list(
            selectors.organizations_for(self.request.user)
            .only("pk", "name", "kind", "path", "depth", "status", "parent_id")
            .order_by("path")
        )
        return super().get_context_data(
            nodes=tree_nodes(organizations), total=len(organizations), **kwargs
        )


class OrganizationMixin(PortalPermissionMixin):
    """The organization in the URL, through the user's scope (404 outside it); the page's
    permission is asked of it."""

    def get_object(self):
        return selectors.get_organization_for(self.request.user, self.kwargs["pk"])

    @property
    def organization(self):
        return self.object


class OrganizationFormPage(OrganizationMixin, FormPageView):
    """A form about the organization on the house's one form page: its name as the lead line,
    its page as the way back."""

    def get_subtitle(self):
        return self.organization.name

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=self.organization, **kwargs)


CHILDREN_PER_PAGE = 25


class OrganizationDetailView(OrganizationMixin, TemplateView):
    permission_required = "branches.view_organization"
    template_name = "branches/organization_detail.html"

    def get_context_data(self, **kwargs):
        org = self.organization
        # A page of sub-organizations (the root has thousands), warnings for that page only.
        children = Paginator(
            org.children.select_related("district", "community").order_by("status", "name", "pk"),
            CHILDREN_PER_PAGE,
        ).get_page(self.request.GET.get("page"))
        children.object_list = selectors.with_warnings_for(list(children.object_list))
        return super().get_context_data(
            organization=org,
            warnings=selectors.warning_messages(org),
            term=selectors.current_term(org),
            children=children.object_list,
            children_page=children,
            membership=selectors.alliance_membership_of(org),
            partners=list(selectors.alliance_partners(org)),
            sections=organization_sections(self.request, org),
            six_share_pct=round(org.six_haves_share * 100),
            **kwargs,
        )


class OrganizationCreateView(PortalPermissionMixin, FormView):
    permission_required = "branches.add_organization"
    template_name = "branches/organization_form.html"
    form_class = OrganizationForm

    def get_object(self):
        """The parent named in ?parent= (through the user's scope), asked "may add under"."""
        parent_pk = self.request.GET.get("parent")
        if parent_pk:
            return selectors.get_organization_for(self.request.user, parent_pk)
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, creating=True)
        return kwargs

    def get_initial(self):
        return {"parent": self.object.pk} if self.object else {}

    def form_valid(self, form):
        if not self.request.user.has_perm(
            "branches.add_organization", form.cleaned_data.get("parent")
        ):
            raise PermissionDenied
        try:
            org = services.organization_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has been created."))
        return redirect(org)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("New organization"), cancel_url=reverse("branches:list"), **kwargs
        )


class OrganizationEditView(OrganizationMixin, FormView):
    permission_required = "branches.change_organization"
    template_name = "branches/organization_form.html"
    form_class = OrganizationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, instance=self.organization)
        return kwargs

    def form_valid(self, form):
        try:
            services.organization_update(
                organization=self.organization,
                acting_user=self.request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The changes have been saved."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Edit %(name)s") % {"name": self.organization.name},
            organization=self.organization,
            cancel_url=self.organization.get_absolute_url(),
            **kwargs,
        )


class OrganizationDissolveView(OrganizationFormPage):
    permission_required = "branches.dissolve_organization"
    form_class = DissolveForm

    def form_valid(self, form):
        try:
            services.organization_dissolve(
                organization=self.organization,
                acting_user=self.request.user,
                dissolved_on=form.cleaned_data["dissolved_on"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has been dissolved."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Dissolve %(name)s") % {"name": self.organization.name},
            subtitle=_(
                "A dissolved organization keeps its history and can no longer be changed. "
                "Members and active sub-organizations must be moved first."
            ),
            submit_label=_("Dissolve"),
            **kwargs,
        )


# --- Committee and terms ------------------------------------------------------------------


class TermCreateView(OrganizationFormPage):
    permission_required = "branches.change_committee"

    def get_form(self, form_class=None):
        return TermForm(**self.get_form_kwargs(), creating=True)

    def form_valid(self, form):
        try:
            services.committee_term_start(
                organization=self.organization,
                acting_user=self.request.user,
                started_on=form.cleaned_data["started_on"],
                ends_on=form.cleaned_data.get("ends_on"),
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The new term has been recorded."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New committee term"), **kwargs)


class TermEditView(OrganizationFormPage):
    permission_required = "branches.change_committee"

    @cached_property
    def term(self):
        return selectors.get_term_for(self.request.user, self.organization, self.kwargs["term"])

    def get_form(self, form_class=None):
        return TermForm(**self.get_form_kwargs(), instance=self.term)

    def form_valid(self, form):
        try:
            services.committee_term_update(
                term=form.instance, acting_user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The term has been saved."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Committee term"), **kwargs)


class PositionAddView(OrganizationFormPage):
    permission_required = "branches.change_committee"

    def get_form(self, form_class=None):
        return PositionForm(**self.get_form_kwargs(), organization=self.organization)

    def form_valid(self, form):
        term = selectors.current_term(self.organization)
        if term is None:
            form.add_error(None, _("Record the committee's term first."))
            return self.form_invalid(form)
        try:
            services.committee_position_add(
                term=term, acting_user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The committee seat has been added."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add a committee seat"), **kwargs)


class PositionRemoveView(OrganizationMixin, ActionView):
    permission_required = "branches.change_committee"

    def post(self, request: HttpRequest, pk: int, position: int) -> HttpResponse:
        org = self.organization
        seat = get_object_or_404(CommitteePosition, pk=position, term__organization=org)
        try:
            services.committee_position_remove(position=seat, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, service_error_message(error))
        else:
            messages.success(request, _("The committee seat has been removed."))
        return redirect(org)


# --- The alliance registry and targets ----------------------------------------------------


def _organization_label(org) -> str:
    return f"{org.name}（{org.parent.name}）" if org.parent else org.name


class TransferTargetSearchView(PortalPermissionMixin, View):
    """JSON for the transfer form's target (members.forms.TransferRequestForm): any active
    branch or general branch, as that form accepts (a member may move anywhere in the city);
    names and numbers only."""

    permission_required = "branches.view_organization"

    def get(self, request: HttpRequest) -> HttpResponse:
        targets = Organization.objects.filter(
            status=Status.ACTIVE, kind__in=[Kind.BRANCH, Kind.GENERAL_BRANCH]
        )
        rows = selectors.search_organizations_among(targets, request.GET.get("q", ""))
        return search_response(rows, label=_organization_label)


class OrganizationSearchView(PortalPermissionMixin, View):
    """JSON for the organization pickers (core.widgets.SearchInput), within the user's scope."""

    permission_required = "branches.view_organization"

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.search_organizations(request.user, request.GET.get("q", ""))
        return search_response(rows, label=_organization_label)
