"""Sign-in pages: the public page a member opens from the QR code (no account, a valid token
only), and the secretary's pages — the QR code, the printable sign-in sheet, ticking from
the paper and the live list of who signed in (JSON for the attendance page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from activities.services import ActivityError, expected_participants
from activities.services import signin as services
from activities.views.common import ActivityPageMixin
from core.views import service_error_message


@method_decorator(login_not_required, name="dispatch")
class SignInView(View):
    """The page the QR code opens: pick your name, confirm with 4 digits of your phone.
    Only the names of the expected members are shown."""

    template_name = "activities/signin/sign_in.html"

    def _activity(self, token):
        activity = services.activity_for_token(token)
        if activity is None:
            raise Http404
        return activity

    def _render(self, request, activity, *, error="", chosen=None, status=200):
        closed = ""
        try:
            services.check_open(activity)
        except services.SignInError as exc:
            closed = exc.message
        return render(
            request,
            self.template_name,
            {
                "activity": activity,
                "names": [] if closed else services.signin_names(activity),
                "closed": closed,
                "error": error,
                "chosen": chosen,
            },
            status=status,
        )

    def get(self, request, token):
        return self._render(request, self._activity(token))

    def post(self, request, token):
        activity = self._activity(token)
        try:
            member_id = int(request.POST.get("member", ""))
        except ValueError:
            member_id = 0
        try:
            attendance = services.qr_sign_in(
                activity=activity,
                member_id=member_id,
                phone_last4=request.POST.get("digits", ""),
            )
        except services.SignInError as exc:
            return self._render(request, activity, error=exc.message, chosen=member_id)
        return render(
            request,
            "activities/signin/signed_in.html",
            {"activity": activity, "attendance": attendance, "name": attendance.member.name},
        )


class SignInQrView(ActivityPageMixin, TemplateView):
    """The secretary's screen to show (or print) at the door: the QR code and its link."""

    permission_required = "activities.mark_attendance"
    template_name = "activities/signin/qr.html"

    def get_context_data(self, **kwargs):
        activity = self.object
        url = self.request.build_absolute_uri(
            reverse("activities:sign_in", args=[services.signin_token(activity)])
        )
        opens, closes = services.signin_window(activity)
        return super().get_context_data(
            activity=activity,
            signin_url=url,
            qr=services.qr_svg(url),
            opens=opens,
            closes=closes,
            is_open=opens <= timezone.now() <= closes,
            locked=services.is_locked(activity),
            present=len(services.signed_in(activity)),
            expected=expected_participants(activity).count(),
            **kwargs,
        )


class SignInSheetView(ActivityPageMixin, TemplateView):
    """The printable sign-in sheet (签到表): A4, large type, a signature column."""

    permission_required = "activities.mark_attendance"
    template_name = "activities/signin/sheet.html"

    def get_context_data(self, **kwargs):
        activity = self.object
        return super().get_context_data(
            activity=activity,
            names=list(expected_participants(activity).values_list("name", flat=True)),
            **kwargs,
        )


class PaperTickView(ActivityPageMixin, View):
    """After the meeting: tick, in one screen, the names signed on the paper sheet."""

    permission_required = "activities.mark_attendance"
    template_name = "activities/signin/paper.html"

    def _render(self, request, *, error="", ticked=()):
        activity = self.object
        present = {row["member"]: row for row in services.signed_in(activity)}
        rows = [
            {"pk": pk, "name": name, "present": present.get(pk), "ticked": pk in ticked}
            for pk, name in expected_participants(activity).values_list("pk", "name")
        ]
        return render(
            request,
            self.template_name,
            {"activity": activity, "rows": rows, "error": error},
        )

    def get(self, request, pk):
        return self._render(request)

    def post(self, request, pk):
        ticked = set()
        for value in request.POST.getlist("present"):
            if value.isdecimal():
                ticked.add(int(value))
        try:
            services.paper_sheet_record(
                activity=self.object, present_ids=ticked, acting_user=request.user
            )
        except ActivityError as exc:
            return self._render(request, error=service_error_message(exc), ticked=ticked)
        messages.success(
            request,
            _("%(n)s members were marked present from the sheet.") % {"n": len(ticked)},
        )
        return redirect("activities:attendance", pk=self.object.pk)


class SignedInJsonView(ActivityPageMixin, View):
    """Who is present, for the attendance page's live view (member ids, how, when)."""

    permission_required = "activities.mark_attendance"

    def get(self, request, pk):
        return JsonResponse({"present": services.signed_in(self.object)})
