"""Election pages (换届选举) under /branches/: the list of elections, and per organization the
plan, the election's page, the bureau's approvals, the result, the cancellation — each step a
page (core.views.FormPageView), the services in branches.elections."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from branches import elections, selectors
from branches.election_forms import CancelForm, DecisionForm, ElectionPlanForm, ElectionResultForm
from branches.models import OPEN_ELECTION_STATES, ElectionState
from core.errors import ServiceError
from core.views import FormPageView, PortalPermissionMixin, add_service_error


class ElectionListView(PortalPermissionMixin, ListView):
    """Elections under way (or all with ?state=all) of the organizations the user sees."""

    permission_required = "branches.view_organization"
    template_name = "branches/elections/election_list.html"
    context_object_name = "elections"
    paginate_by = 25

    def get_queryset(self):
        queryset = elections.elections_for(self.request.user)
        self.show_all = self.request.GET.get("state") == "all"
        if not self.show_all:
            queryset = queryset.filter(state__in=OPEN_ELECTION_STATES)
        return queryset.order_by("planned_on", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            show_all=self.show_all,
            awaiting=elections.elections_for(self.request.user)
            .filter(Q(state=ElectionState.PLANNED) | Q(state=ElectionState.RESULTS_ENTERED))
            .count(),
            **kwargs,
        )


class OrganizationElectionMixin(PortalPermissionMixin):
    """The organization in the URL through the user's scope (404 outside it); the page's
    permission is asked of it."""

    def get_object(self):
        return selectors.get_organization_for(self.request.user, self.kwargs["pk"])

    @property
    def organization(self):
        return self.object


class ElectionMixin(OrganizationElectionMixin):
    """…and the election in the URL, one of that organization's (404 otherwise). A step
    offered in another state sends the reader back to the election's page, saying why."""

    allowed_states: tuple[str, ...] = ()

    @cached_property
    def election(self):
        return elections.get_election_for(
            self.request.user, self.organization, self.kwargs["election"]
        )

    def handle_state(self):
        if self.allowed_states and self.election.state not in self.allowed_states:
            messages.error(
                self.request,
                _("This step is not possible now: the election is at “%(state)s”.")
                % {"state": self.election.get_state_display()},
            )
            return redirect(self.election)
        return None

    def get(self, request, *args, **kwargs):
        return self.handle_state() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.handle_state() or super().post(request, *args, **kwargs)


class ElectionStepPage(ElectionMixin, FormPageView):
    template_name = "branches/elections/step.html"

    def get_subtitle(self):
        return self.organization.name

    def get_cancel_url(self):
        return self.election.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            election=self.election,
            candidates=elections.candidates_of(self.election),
            **kwargs,
        )

    def run(self, form):
        raise NotImplementedError

    success_message = ""

    def form_valid(self, form):
        try:
            self.run(form)
        except ServiceError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.election.get_absolute_url())


class ElectionOpenView(OrganizationElectionMixin, FormPageView):
    permission_required = "branches.change_election"
    template_name = "branches/elections/step.html"

    def get_title(self):
        return _("Open an election")

    def get_subtitle(self):
        return self.organization.name

    def get_form(self, form_class=None):
        return ElectionPlanForm(
            **self.get_form_kwargs(),
            full_members=elections.full_members_of(self.organization),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            term=selectors.current_term(self.organization),
            full_member_count=elections.full_members_of(self.organization).count(),
            submit_label=_("Submit the plan for approval"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            election = elections.election_open(
                organization=self.organization,
                acting_user=self.request.user,
                planned_on=data["planned_on"],
                seats=data["seats"],
                candidate_ids=[member.pk for member in data["candidates"]],
                plan_note=data["plan_note"],
            )
        except ServiceError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The election plan has been submitted for approval."))
        return redirect(election)


class ElectionDetailView(ElectionMixin, TemplateView):
    permission_required = "branches.view_election"
    template_name = "branches/elections/election_detail.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("election", None)  # the URL's election id; the page shows the object
        user = self.request.user
        return super().get_context_data(
            organization=self.organization,
            election=self.election,
            candidates=elections.candidates_of(self.election),
            can_change=user.has_perm("branches.change_election", self.organization),
            can_approve=user.has_perm("branches.approve_election", self.organization),
            **kwargs,
        )


class ElectionApprovePlanView(ElectionStepPage):
    permission_required = "branches.approve_election"
    form_class = DecisionForm
    allowed_states = (ElectionState.PLANNED,)

    def get_title(self):
        return _("Approve the election plan")

    def get_context_data(self, **kwargs):
        return super().get_context_data(submit_label=_("Approve the plan"), **kwargs)

    @property
    def success_message(self):
        return _("The election plan has been approved.")

    def run(self, form):
        elections.election_approve_plan(
            election=self.election, acting_user=self.request.user, note=form.cleaned_data["note"]
        )


class ElectionResultsView(ElectionStepPage):
    permission_required = "branches.change_election"
    allowed_states = (ElectionState.PLAN_APPROVED, ElectionState.RESULTS_ENTERED)

    def get_title(self):
        return _("Enter the election result")

    def get_form(self, form_class=None):
        election = self.election
        kwargs = self.get_form_kwargs()
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(
            held_on=election.held_on or election.planned_on,
            voters_present=election.voters_present,
        )
        return ElectionResultForm(**kwargs, candidates=elections.candidates_of(election))

    def get_context_data(self, **kwargs):
        return super().get_context_data(submit_label=_("Submit the result for approval"), **kwargs)

    @property
    def success_message(self):
        return _("The result has been submitted for approval.")

    def run(self, form):
        elections.election_enter_results(
            election=self.election,
            acting_user=self.request.user,
            held_on=form.cleaned_data["held_on"],
            voters_present=form.cleaned_data["voters_present"],
            results=form.results(),
        )


class ElectionApproveResultView(ElectionStepPage):
    permission_required = "branches.approve_election"
    form_class = DecisionForm
    allowed_states = (ElectionState.RESULTS_ENTERED,)

    def get_title(self):
        return _("Approve the election result")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            submit_label=_("Approve the result and start the new term"), **kwargs
        )

    @property
    def success_message(self):
        return _("The result has been approved: the new term and its committee are recorded.")

    def run(self, form):
        elections.election_approve_result(
            election=self.election, acting_user=self.request.user, note=form.cleaned_data["note"]
        )


class ElectionCancelView(ElectionStepPage):
    permission_required = "branches.change_election"
    form_class = CancelForm
    allowed_states = OPEN_ELECTION_STATES

    def get_title(self):
        return _("Cancel the election")

    def get_context_data(self, **kwargs):
        return super().get_context_data(submit_label=_("Cancel the election"), **kwargs)

    @property
    def success_message(self):
        return _("The election has been cancelled.")

    def run(self, form):
        elections.election_cancel(
            election=self.election,
            acting_user=self.request.user,
            reason=form.cleaned_data["reason"],
        )
