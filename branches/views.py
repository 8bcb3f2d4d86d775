"""Organization pages (/branches/) and the alliance registry and targets (/alliance/)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from branches import exports, selectors, services
from branches.filters import OrganizationFilter
from branches.forms import (
    DissolveForm,
    OrganizationForm,
    PositionForm,
    TermForm,
    add_service_errors,
)
from branches.models import CommitteePosition
from branches.sections import organization_sections

# --- Organizations ------------------------------------------------------------------------


class OrganizationListView(PermissionRequiredMixin, FilterView):
    permission_required = "branches.view_organization"
    filterset_class = OrganizationFilter
    template_name = "branches/organization_list.html"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        return selectors.organization_list_for(self.request.user).order_by("path")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["needs_attention_count"] = selectors.needs_attention_count(self.request.user)
        return context


def organization_export(request: HttpRequest) -> HttpResponse:
    """Excel download of exactly the filtered list (same FilterSet as the page)."""
    if not request.user.has_perm("branches.export_organization"):
        raise PermissionDenied
    queryset = selectors.organization_list_for(request.user).order_by("path")
    filterset = OrganizationFilter(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return exports.organizations_xlsx(rows, user=request.user, query=request.GET)


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


class OrganizationTreeView(PermissionRequiredMixin, TemplateView):
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


class OrganizationMixin(PermissionRequiredMixin):
    """Fetch the organization in the URL through the user's scope (404 outside it)."""

    def get_object(self):
        if not hasattr(self, "_organization"):
            self._organization = selectors.get_organization_for(
                self.request.user, self.kwargs["pk"]
            )
        return self._organization

    @property
    def organization(self):
        return self.get_object()


class OrganizationDetailView(OrganizationMixin, TemplateView):
    permission_required = "branches.view_organization"
    template_name = "branches/organization_detail.html"

    def get_context_data(self, **kwargs):
        org = self.organization
        return super().get_context_data(
            organization=org,
            warnings=selectors.warning_messages(org),
            term=selectors.current_term(org),
            children=list(selectors.sub_organizations(org)),
            membership=selectors.alliance_membership_of(org),
            partners=list(selectors.alliance_partners(org)),
            sections=organization_sections(self.request, org),
            six_share_pct=round(org.six_haves_share * 100),
            **kwargs,
        )


class OrganizationCreateView(PermissionRequiredMixin, FormView):
    permission_required = "branches.add_organization"
    template_name = "branches/organization_form.html"
    form_class = OrganizationForm

    def get_permission_object(self):
        parent_pk = self.request.GET.get("parent")
        if parent_pk:
            return selectors.get_organization_for(self.request.user, parent_pk)
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, creating=True)
        return kwargs

    def get_initial(self):
        parent = self.get_permission_object()
        return {"parent": parent.pk} if parent else {}

    def form_valid(self, form):
        if not self.request.user.has_perm(
            "branches.add_organization", form.cleaned_data.get("parent")
        ):
            raise PermissionDenied
        try:
            org = services.organization_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
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
            add_service_errors(form, error)
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


class OrganizationDissolveView(OrganizationMixin, FormView):
    permission_required = "branches.dissolve_organization"
    template_name = "branches/organization_dissolve.html"
    form_class = DissolveForm

    def form_valid(self, form):
        try:
            services.organization_dissolve(
                organization=self.organization,
                acting_user=self.request.user,
                dissolved_on=form.cleaned_data["dissolved_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization has been dissolved."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=self.organization, **kwargs)


# --- Committee and terms ------------------------------------------------------------------


class TermCreateView(OrganizationMixin, FormView):
    permission_required = "branches.change_committee"
    template_name = "branches/term_form.html"

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
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The new term has been recorded."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization, title=_("New committee term"), **kwargs
        )


class TermEditView(OrganizationMixin, FormView):
    permission_required = "branches.change_committee"
    template_name = "branches/term_form.html"

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
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The term has been saved."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization, title=_("Committee term"), **kwargs
        )


class PositionAddView(OrganizationMixin, FormView):
    permission_required = "branches.change_committee"
    template_name = "branches/term_form.html"

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
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The committee seat has been added."))
        return redirect(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization, title=_("Add a committee seat"), **kwargs
        )


@require_POST
def position_remove(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    org = selectors.get_organization_for(request.user, pk)
    if not request.user.has_perm("branches.change_committee", org):
        raise PermissionDenied
    seat = get_object_or_404(CommitteePosition, pk=position, term__organization=org)
    try:
        services.committee_position_remove(position=seat, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The committee seat has been removed."))
    return redirect(org)


# --- The alliance registry and targets ----------------------------------------------------
