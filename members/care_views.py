"""Pages of care (走访慰问) and party dues (党费): thin views over members.selectors.care /
.dues and members.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from branches.selectors import organizations_for
from core.job_views import deliver_export
from core.params import month_param, year_param
from core.selectors import get_or_404
from core.views import PortalPermissionMixin
from members import services
from members.care_forms import (
    CareFilterForm,
    CareFlagForm,
    DuesBaseForm,
    DuesPaymentForm,
    OrganizationCommendationForm,
    RebaseForm,
    VisitForm,
)
from members.selectors import get_member_for
from members.selectors.care import care_summary, due_rows, may_see_care_flags
from members.selectors.dues import (
    dues_lines,
    get_payment_for,
    ledger_members,
    may_see_dues_amounts,
)
from members.services.organizations import organization_commendation_add
from members.views import _add_errors

MASK = "***"


def _month(request) -> tuple[int, int]:
    first = month_param(request.GET, request=request)
    return first.year, first.month


def _organization(request):
    """?organization= among the user's organizations (another's: 404), or None."""
    pk = request.GET.get("organization")
    if not pk:
        return None
    return get_or_404(organizations_for(request.user), pk)


class CareListView(PortalPermissionMixin, View):
    """/members/care/: who is due a visit this month, each row one tap to 记录走访."""

    permission_required = "members.view_care"

    def get(self, request):
        year, month = _month(request)
        form = CareFilterForm(request.GET or None)
        community = form.cleaned_data.get("community") if form.is_valid() else None
        rows = due_rows(
            request.user,
            year=year,
            month=month,
            today=timezone.localdate(),
            organization=_organization(request),
            community=community,
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        for row in page.object_list:
            row.flags_visible = may_see_care_flags(request.user, row.member)
            row.can_record = request.user.has_perm("members.care_for_member", row.member)
        return render(
            request,
            "members/care/care_list.html",
            {
                "form": form,
                "page_obj": page,
                "rows": page.object_list,
                "month": f"{year}-{month:02d}",
                "export_query": request.GET.urlencode(),
            },
        )


class MemberPageMixin(PortalPermissionMixin):
    def get_object(self):
        return get_member_for(self.request.user, self.kwargs["pk"])


class MemberServiceFormView(MemberPageMixin, View):
    """A small form about one member handed to one service (a visit, a care flag, a dues base,
    a payment): the member is fetched through the user's scope, a refusal shown on the form."""

    form_class = None
    title = ""
    submit_label = None
    success_message = ""

    def get_initial(self) -> dict:
        return {}

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def perform(self, data: dict):
        raise NotImplementedError

    def get_success_url(self, result) -> str:
        return self.object.get_absolute_url()

    def show(self, form):
        context = {
            "form": form,
            "title": self.title,
            "subtitle": self.object,
            "subtitle_url": self.object.get_absolute_url(),
            "cancel_url": self.get_cancel_url(),
        }
        if self.submit_label:
            context["submit_label"] = self.submit_label
        return render(self.request, "form_page.html", context)

    def get(self, request, pk):
        return self.show(self.form_class(initial=self.get_initial()))

    def post(self, request, pk):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                result = self.perform(form.cleaned_data)
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.get_success_url(result))
        return self.show(form)


class VisitAddView(MemberServiceFormView):
    permission_required = "members.care_for_member"
    form_class = VisitForm
    title = _lazy("Record a visit")
    submit_label = _lazy("Save the visit")
    success_message = _lazy("The visit was recorded.")

    def get_initial(self):
        return {"kind": self.request.GET.get("kind", "festival")}

    def get_cancel_url(self):
        return reverse("members:care")

    def perform(self, data):
        return services.care_visit_record(member=self.object, acting_user=self.request.user, **data)


class CareFlagAddView(MemberServiceFormView):
    permission_required = "members.care_for_member"
    form_class = CareFlagForm
    title = _lazy("Add a care flag")
    success_message = _lazy("The care flag was added.")

    def get_initial(self):
        return {"since": timezone.localdate()}

    def perform(self, data):
        return services.care_flag_add(member=self.object, acting_user=self.request.user, **data)


class CareSummaryView(PortalPermissionMixin, View):
    permission_required = "members.view_care"

    def get(self, request):
        year = year_param(request.GET)
        return render(
            request,
            "members/care/care_summary.html",
            {"year": year, "rows": care_summary(request.user, year=year)},
        )


class CareExportView(PortalPermissionMixin, View):
    permission_required = "members.export_care"

    def get(self, request):
        return deliver_export(request, "members.care_visits")


# --- Dues -------------------------------------------------------------------------------------


class DuesLedgerView(PortalPermissionMixin, View):
    """/members/dues/: the organization's monthly ledger and year totals."""

    permission_required = "members.view_dues"

    def get(self, request):
        today = timezone.localdate()
        year = year_param(request.GET)
        organization = _organization(request)
        members = ledger_members(request.user, organization=organization)
        page = Paginator(members, 50).get_page(request.GET.get("page"))
        lines = dues_lines(page.object_list, year=year, as_of=today)
        for line in lines:
            line.visible = may_see_dues_amounts(request.user, line.member)
            line.can_keep = request.user.has_perm("members.keep_dues", line.member)
        return render(
            request,
            "members/dues/ledger.html",
            {
                "year": year,
                "organization": organization,
                "page_obj": page,
                "lines": lines,
                "months": range(1, 13),
                "mask": MASK,
                "export_query": request.GET.urlencode(),
                "arrears_only": False,
            },
        )


class DuesBaseView(MemberServiceFormView):
    permission_required = "members.keep_dues"
    form_class = DuesBaseForm
    title = _lazy("Dues base")
    success_message = _lazy("The dues base was saved.")

    def get_initial(self):
        return {"year": timezone.localdate().year, "mode": "standard"}

    def get_cancel_url(self):
        return reverse("members:dues")

    def perform(self, data):
        return services.dues_base_set(member=self.object, acting_user=self.request.user, **data)


class DuesPaymentView(MemberServiceFormView):
    permission_required = "members.keep_dues"
    form_class = DuesPaymentForm
    title = _lazy("Record a dues payment")
    success_message = _lazy("The payment was recorded.")

    def get_initial(self):
        today = timezone.localdate()
        return {"paid_on": today, "first_month": today.strftime("%Y-%m")}

    def get_cancel_url(self):
        return reverse("members:dues")

    def perform(self, data):
        return services.dues_payment_record(
            member=self.object, acting_user=self.request.user, **data
        )

    def get_success_url(self, payment):
        return reverse("members:dues_receipt", args=[payment.pk])


class DuesReceiptView(PortalPermissionMixin, View):
    """A receipt printout (print-styled HTML)."""

    permission_required = "members.keep_dues"

    def get_object(self):
        return get_payment_for(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.object.member

    def get(self, request, pk):
        return render(request, "members/dues/receipt.html", {"payment": self.object})


PREVIEW_LINES = 100


class DuesRebaseView(PortalPermissionMixin, View):
    """The yearly rebasing in one step: preview (GET with the form filled), then confirm."""

    permission_required = "members.rebase_dues"

    def _members(self, request):
        return [
            m
            for m in ledger_members(request.user, organization=_organization(request))
            if request.user.has_perm("members.keep_dues", m)
        ]

    def get(self, request):
        form = RebaseForm(request.GET or None, initial={"from_year": timezone.localdate().year})
        lines = None
        if form.is_bound and form.is_valid():
            try:
                lines = services.dues_rebase_preview(
                    members=self._members(request), acting_user=request.user, **form.cleaned_data
                )
            except services.MemberError as exc:
                _add_errors(form, exc)
        # The preview lists the first PREVIEW_LINES members with the count of all: a city's
        # roster on one page would be megabytes.
        return render(
            request,
            "members/dues/rebase.html",
            {
                "form": form,
                "lines": lines,
                "shown": lines[:PREVIEW_LINES] if lines else lines,
                "count": len(lines) if lines else 0,
                "to_write": sum(1 for line in lines if not line.skipped) if lines else 0,
            },
        )

    def post(self, request):
        form = RebaseForm(request.POST)
        if form.is_valid():
            try:
                created = services.dues_rebase(
                    members=self._members(request), acting_user=request.user, **form.cleaned_data
                )
            except services.MemberError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("%(count)s dues bases were written.") % {"count": len(created)}
                )
                return redirect(
                    f"{reverse('members:dues')}?year={form.cleaned_data['from_year'] + 1}"
                )
        return redirect("members:dues_rebase")


class DuesExportView(PortalPermissionMixin, View):
    permission_required = "members.export_dues"

    def get(self, request):
        return deliver_export(request, "members.dues")


class OrganizationCommendationAddView(PortalPermissionMixin, View):
    """Bureau staff record a commendation of an organization (先进基层党组织, 示范党支部, …)."""

    permission_required = "members.add_organizationcommendation"

    def get_object(self):
        return get_or_404(organizations_for(self.request.user), self.kwargs["pk"])

    def get_permission_object(self):
        return None

    def show(self, form):
        return render(
            self.request,
            "form_page.html",
            {
                "form": form,
                "title": _("Add a commendation of the organization"),
                "subtitle": self.object,
                "subtitle_url": self.object.get_absolute_url(),
                "cancel_url": self.object.get_absolute_url(),
            },
        )

    def get(self, request, pk):
        return self.show(OrganizationCommendationForm(initial={"year": timezone.localdate().year}))

    def post(self, request, pk):
        form = OrganizationCommendationForm(request.POST)
        if form.is_valid():
            try:
                organization_commendation_add(
                    organization=self.object, acting_user=request.user, **form.cleaned_data
                )
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The commendation was added."))
                return redirect(self.object)
        return self.show(form)
