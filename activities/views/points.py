"""Pages of volunteer points (红色积分 / 时间银行): the members' balances and the yearly ranking
per organization, a member's ledger, exchanges and their reversal, and the bureau's rule."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from activities.forms import ComplianceFilterForm
from activities.models import PointsEntry, PointsEntryKind, PointsRule
from activities.services import ActivityError
from activities.services.points import (
    balance_of,
    ledger_of,
    points_entry_reverse,
    points_exchange,
    points_rule_set,
    points_standings,
)
from activities.views.common import year_and_as_of
from core.job_views import deliver_export
from core.selectors import get_or_404
from core.views import FormPageView, PortalPermissionMixin, add_service_error
from members.selectors import get_member_for, members_for

PAGE_SIZE = 25
SUBNAV = "activities/points/_nav.html"


class PointsRuleForm(forms.Form):
    points_per_hour = forms.DecimalField(
        label=_lazy("points per hour"), min_value=0, max_digits=6, decimal_places=1
    )
    cap_per_activity = forms.DecimalField(
        label=_lazy("cap per activity"),
        min_value=0,
        max_digits=6,
        decimal_places=1,
        help_text=_lazy("The most points one activity earns a member, however long it lasted."),
    )
    effective_from = forms.DateField(
        label=_lazy("effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PointsExchangeForm(forms.Form):
    points = forms.DecimalField(
        label=_lazy("Points to exchange"), min_value=Decimal("0.1"), decimal_places=1
    )
    exchanged_for = forms.CharField(
        label=_lazy("exchanged for"),
        max_length=100,
        help_text=_lazy("A gift or a service, e.g. 理发服务 or 保温杯."),
    )


class PointsReverseForm(forms.Form):
    note = forms.CharField(label=_lazy("Reason for the reversal"), max_length=200)


class PointsStandingsView(PortalPermissionMixin, TemplateView):
    """/activities/points/: members' balances and the yearly ranking per organization."""

    permission_required = "activities.view_points"
    template_name = "activities/points/standings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, _as_of = year_and_as_of(self.request)
        form = ComplianceFilterForm(
            self.request.GET or None, user=self.request.user, initial={"year": year}
        )
        organization = form.cleaned_data.get("organization") if form.is_valid() else None
        rows = points_standings(self.request.user, year=year, organization=organization)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            year=year,
            page_obj=page,
            rule=PointsRule.objects.filter(effective_from__lte=timezone.localdate()).first(),
            may_set_rule=self.request.user.has_perm("activities.change_pointsrule"),
            export_query=query.urlencode(),
        )
        return context


class PointsExportView(PortalPermissionMixin, TemplateView):
    permission_required = "activities.export_points"

    def get(self, request, *args, **kwargs):
        return deliver_export(request, "activities.points")


class PointsRuleView(FormPageView):
    """The bureau's rule: a new rule from a day (the earlier ones stay, listed below)."""

    permission_required = "activities.change_pointsrule"
    template_name = "activities/points/rule.html"
    form_class = PointsRuleForm
    title = _lazy("Points rule")
    submit_label = _lazy("Save the rule")
    section_nav = SUBNAV

    def get_initial(self):
        current = PointsRule.objects.first()
        initial = {"effective_from": timezone.localdate()}
        if current is not None:
            initial.update(
                points_per_hour=current.points_per_hour,
                cap_per_activity=current.cap_per_activity,
            )
        return initial

    def get_cancel_url(self) -> str:
        return reverse("activities:points")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("rules", PointsRule.objects.select_related("set_by")[:20])
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            points_rule_set(acting_user=self.request.user, **form.cleaned_data)
        except ActivityError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The points rule was saved."))
        return redirect("activities:points_rule")


class MemberPointsMixin(PortalPermissionMixin):
    """A page about one member's points: another organization's member is a 404."""

    def get_object(self):
        return get_member_for(self.request.user, self.kwargs["pk"])


class PointsLedgerView(MemberPointsMixin, TemplateView):
    """A member's points ledger: earned, exchanged, reversals, and the balance."""

    permission_required = "activities.view_points"
    template_name = "activities/points/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.object
        page = Paginator(ledger_of(member), PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            member=member,
            page_obj=page,
            balance=balance_of(member),
            may_exchange=self.request.user.has_perm("activities.exchange_points", member),
            exchanged=PointsEntryKind.EXCHANGED,
        )
        return context


class PointsExchangeView(MemberPointsMixin, FormPageView):
    """Spend a member's points on a gift or a service (never more than the balance)."""

    permission_required = "activities.exchange_points"
    form_class = PointsExchangeForm
    title = _lazy("Exchange points")
    submit_label = _lazy("Exchange")
    section_nav = SUBNAV

    def get_subtitle(self):
        return _("%(name)s: balance %(balance)s points") % {
            "name": self.object.name,
            "balance": balance_of(self.object),
        }

    def get_cancel_url(self) -> str:
        return reverse("activities:points_ledger", args=[self.object.pk])

    def form_valid(self, form):
        try:
            points_exchange(member=self.object, acting_user=self.request.user, **form.cleaned_data)
        except ActivityError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The points were exchanged."))
        return redirect(self.get_cancel_url())


class PointsReverseView(FormPageView):
    """Undo an exchange made by mistake with a reversing line."""

    permission_required = "activities.exchange_points"
    form_class = PointsReverseForm
    title = _lazy("Reverse an exchange")
    submit_label = _lazy("Reverse")
    section_nav = SUBNAV

    def get_object(self):
        entry = get_or_404(
            PointsEntry.objects.select_related("member").filter(
                member__in=members_for(self.request.user).values("pk")
            ),
            self.kwargs["pk"],
        )
        return entry

    def get_permission_object(self):
        return self.object.member

    def get_subtitle(self):
        entry = self.object
        return _("%(name)s: %(points)s points for %(what)s on %(day)s") % {
            "name": entry.member.name,
            "points": entry.points,
            "what": entry.exchanged_for,
            "day": entry.day.isoformat(),
        }

    def get_cancel_url(self) -> str:
        return reverse("activities:points_ledger", args=[self.object.member_id])

    def form_valid(self, form):
        try:
            points_entry_reverse(
                entry=self.object, note=form.cleaned_data["note"], acting_user=self.request.user
            )
        except ActivityError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The exchange was reversed."))
        return redirect(self.get_cancel_url())
