"""/audit/ — 审计日志: the bureau searches who changed, exported or saw what (core.audit)."""

from __future__ import annotations

import dataclasses
import datetime

from django import forms
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.audit import AuditFilter, audit_entries, describe, object_type_choices
from core.params import EARLIEST_YEAR, YEARS_AHEAD
from core.views import PortalPermissionMixin

PER_PAGE = 50
DEFAULT_DAYS = 30
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditSearchForm(forms.Form):
    actor = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=100,
        help_text=_("Part of a user name or full name."),
    )
    object_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    object = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=100,
        help_text=_("Its number, or part of its name."),
    )
    date_from = forms.DateField(label=_("From date"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To date"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("All kinds")), *object_type_choices()]

    def clean(self):
        data = super().clean()
        latest = timezone.localdate().year + YEARS_AHEAD
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and not EARLIEST_YEAR <= day.year <= latest:
                self.add_error(
                    name,
                    _("Give a date from %(first)s to %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": latest},
                )  # (add_error takes the field out of cleaned_data)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data


class AuditLogView(PortalPermissionMixin, TemplateView):
    """The merged audit log, newest first, 50 a page: two queries a page (count and rows);
    the latest DEFAULT_DAYS days unless a start date is given."""

    permission_required = "core.view_audit"
    template_name = "core/audit/log.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        form = AuditSearchForm(self.request.GET or None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            flt = AuditFilter(
                actor=data["actor"],
                object_type=data["object_type"],
                object=data["object"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        else:
            flt = AuditFilter()
        # Without a start date, the latest DEFAULT_DAYS: each branch of the union then reads a
        # date range through its index instead of sorting every history row ever written.
        default_from = None
        if flt.date_from is None:
            default_from = timezone.localdate() - datetime.timedelta(days=DEFAULT_DAYS)
            flt = dataclasses.replace(flt, date_from=default_from)
        page = None
        if not form.is_bound or form.is_valid():
            page = Paginator(audit_entries(flt), PER_PAGE).get_page(self.request.GET.get("page"))
            page.object_list = describe(list(page.object_list))
        kwargs.update(
            form=form,
            page_obj=page,
            entries=page.object_list if page else [],
            default_from=default_from,
        )
        return super().get_context_data(**kwargs)
