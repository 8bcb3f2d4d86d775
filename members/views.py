"""Roster pages: thin views over members.selectors and members.services."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from core.audit import access_log_record
from core.job_views import deliver_export
from core.models import AccessLog
from core.paginators import CountCachedPaginator
from core.privacy import age_band, mask_id_number, mask_phone
from core.widgets import search_response
from core.xlsx import XLSX_CONTENT_TYPE, as_download
from members import imports, selectors, services
from members.filters import MemberFilter
from members.forms import (
    CommendationForm,
    ImportConfirmForm,
    ImportUploadForm,
    MemberForm,
    ParticipationForm,
    TalentSearchForm,
    TransferRequestForm,
    TransferReturnForm,
)
from members.models import LeaderRole, Participation
from members.selectors.care import care_context

PER_PAGE_CHOICES = (25, 50, 100)
PROBLEMS_SHOWN = 500  # the first problems on the page, before and after an import (all in the file)
IMPORT_SESSION_KEY = "members_import"
IMPORT_DIR = "member-imports"


def shown(user, member):
    """Set what this user may see of the member's ID number, birth date, age and phone.

    The mask hides exactly the ID number's birth-date digits: whoever sees it masked sees no
    birth date and no exact age either, only the age band (70–79岁), or the number could be
    rebuilt from the two (issue 18)."""
    if selectors.may_see_full_id_number(user):
        member.id_shown = member.id_number
        member.birth_shown = member.birth_date
        member.age_shown = member.age
    else:
        member.id_shown = mask_id_number(member.id_number)
        member.birth_shown = None
        member.age_shown = age_band(member.age)
    member.phone_shown = (
        member.phone if selectors.may_see_full_phone(user, member) else mask_phone(member.phone)
    )
    return member


class MemberMixin(PermissionRequiredMixin):
    """Fetch the member through the selector first (another organization's: 404)."""

    def get_member(self):
        if not hasattr(self, "_member"):
            self._member = selectors.get_member_for(self.request.user, self.kwargs["pk"])
        return self._member

    def get_permission_object(self):
        return self.get_member()


class MemberListView(PermissionRequiredMixin, View):
    permission_required = "members.view_member"

    def get(self, request):
        members = selectors.roster_queryset(request.user)
        filterset = MemberFilter(request.GET or None, queryset=members, user=request.user)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else members
        try:
            per_page = int(request.GET.get("per_page", 25))
        except ValueError:
            per_page = 25
        if per_page not in PER_PAGE_CHOICES:
            per_page = 25
        # The total (a COUNT over every member at province scale) is cached until a member,
        # an organization or a member's skills change.
        page = CountCachedPaginator(
            queryset.order_by("name", "pk"), per_page, generation=selectors.MEMBER_ROWS
        ).get_page(request.GET.get("page"))
        for member in page.object_list:
            shown(request.user, member)
        return render(
            request,
            "members/member_list.html",
            {
                "filter": filterset,
                "page_obj": page,
                "members": page.object_list,
                "export_query": request.GET.urlencode(),
            },
        )


class MemberDetailView(MemberMixin, View):
    permission_required = "members.view_member"

    def get(self, request, pk):
        member = shown(request.user, self.get_member())
        # Who opened whose personal data is in the access log (one INSERT).
        access_log_record(
            user=request.user, what=AccessLog.What.MEMBER_PAGE, obj=member, request=request
        )
        return render(
            request,
            "members/member_detail.html",
            {
                "member": member,
                **selectors.member_history(member),
                **care_context(request.user, member),
            },
        )


class MemberCreateView(PermissionRequiredMixin, View):
    permission_required = "members.add_member"

    def get(self, request):
        return self.show(MemberForm(user=request.user))

    def show(self, form, status=200):
        return render(
            self.request,
            "members/member_form.html",
            {"form": form, "title": _("Add a member"), "cancel_url": reverse("members:list")},
            status=status,
        )

    def post(self, request):
        form = MemberForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                member = services.member_create(
                    acting_user=request.user,
                    organization=form.cleaned_data["organization"],
                    skills=form.cleaned_data["skills"],
                    **form.service_fields(),
                )
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The member was added."))
                return redirect(member)
        return self.show(form)


def _add_errors(form, exc: services.MemberError) -> None:
    if exc.errors:
        for field, errors in exc.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, str(exc))


class MemberUpdateView(MemberMixin, View):
    permission_required = "members.change_member"

    def show(self, form):
        member = self.get_member()
        return render(
            self.request,
            "members/member_form.html",
            {
                "form": form,
                "member": member,
                "title": _("Edit %(name)s") % {"name": member.name},
                "cancel_url": member.get_absolute_url(),
            },
        )

    def get(self, request, pk):
        member = self.get_member()
        return self.show(
            MemberForm(instance=member, user=request.user, initial={"skills": member.skills.all()})
        )

    def post(self, request, pk):
        member = self.get_member()
        form = MemberForm(request.POST, instance=member, user=request.user)
        if form.is_valid():
            try:
                services.member_update(
                    member=member,
                    acting_user=request.user,
                    skills=form.cleaned_data["skills"],
                    **form.service_fields(),
                )
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The member's record was saved."))
                return redirect(member)
        return self.show(form)


class MemberFormView(MemberMixin, View):
    """A small form about one member (transfer request, participation, commendation)."""

    form_class = None
    title = ""
    success_message = ""

    def show(self, form):
        member = self.get_member()
        return render(
            self.request,
            "form_page.html",
            {
                "form": form,
                "member": member,
                "title": self.title,
                "cancel_url": member.get_absolute_url(),
            },
        )

    def get(self, request, pk):
        return self.show(self.form_class())

    def post(self, request, pk):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.perform(form.cleaned_data)
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.get_member())
        return self.show(form)


class TransferRequestView(MemberFormView):
    permission_required = "members.request_transfer"
    form_class = TransferRequestForm

    @property
    def title(self):
        return _("Request a transfer")

    @property
    def success_message(self):
        return _("The transfer was requested; bureau staff will review it.")

    def perform(self, data):
        services.member_transfer_request(
            member=self.get_member(),
            to_organization=data["to_organization"],
            reason=data["reason"],
            acting_user=self.request.user,
        )


class ParticipationAddView(MemberFormView):
    permission_required = "members.change_member"
    form_class = ParticipationForm

    @property
    def title(self):
        return _("Add a participation")

    @property
    def success_message(self):
        return _("The participation was added.")

    def perform(self, data):
        services.participation_add(
            member=self.get_member(),
            organization=data["organization"],
            role=data["role"],
            joined_on=data["joined_on"],
            acting_user=self.request.user,
        )


class ParticipationEndForm(forms.Form):
    """The day the member stopped taking part (kept here with its only page)."""

    left_on = forms.DateField(
        label=_lazy("left on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.participation = participation

    def clean_left_on(self):
        left_on = self.cleaned_data["left_on"]
        if left_on > timezone.localdate():
            raise forms.ValidationError(_("The day left cannot be in the future."))
        joined_on = self.participation.joined_on
        if joined_on and left_on < joined_on:
            raise forms.ValidationError(
                _("The day left cannot be before the day joined (%(joined)s).")
                % {"joined": f"{joined_on:%Y-%m-%d}"}
            )
        return left_on


class ParticipationEndView(MemberFormView):
    """End one of the member's current participations; it stays on the member page as ended."""

    permission_required = "members.change_member"
    form_class = ParticipationEndForm

    def get_participation(self):
        if not hasattr(self, "_participation"):
            try:
                self._participation = (
                    self.get_member()
                    .participations.select_related("organization")
                    .get(pk=self.kwargs["participation_pk"], left_on__isnull=True)
                )
            except Participation.DoesNotExist:  # someone else's, or already ended
                raise Http404 from None
        return self._participation

    @property
    def title(self):
        return _("End the participation in %(group)s") % {
            "group": self.get_participation().organization.name
        }

    @property
    def success_message(self):
        return _("The participation in %(group)s was ended.") % {
            "group": self.get_participation().organization.name
        }

    def get(self, request, pk, participation_pk):
        participation = self.get_participation()
        return self.show(
            self.form_class(participation=participation, initial={"left_on": timezone.localdate()})
        )

    def post(self, request, pk, participation_pk):
        participation = self.get_participation()
        form = self.form_class(request.POST, participation=participation)
        if form.is_valid():
            try:
                services.participation_end(
                    participation=participation,
                    left_on=form.cleaned_data["left_on"],
                    acting_user=request.user,
                )
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.get_member())
        return self.show(form)


class ParticipationLeaderForm(forms.Form):
    """Which of the group's two leaders (两个带头人) the member is, if either."""

    leader = forms.ChoiceField(
        label=_lazy("leader"),
        choices=[("", _lazy("Neither"))] + list(LeaderRole.choices),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.participation = participation


class ParticipationLeaderView(ParticipationEndView):
    """Flag a current participation as one of the group's two leaders (党组织书记, 活动带头人)."""

    form_class = ParticipationLeaderForm

    @property
    def title(self):
        return _("Two leaders of %(group)s") % {"group": self.get_participation().organization.name}

    @property
    def success_message(self):
        return _("Saved.")

    def get(self, request, pk, participation_pk):
        participation = self.get_participation()
        return self.show(
            self.form_class(participation=participation, initial={"leader": participation.leader})
        )

    def post(self, request, pk, participation_pk):
        participation = self.get_participation()
        form = self.form_class(request.POST, participation=participation)
        if form.is_valid():
            try:
                services.participation_set_leader(
                    participation=participation,
                    leader=form.cleaned_data["leader"],
                    acting_user=request.user,
                )
            except services.MemberError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.get_member())
        return self.show(form)


class CommendationAddView(MemberFormView):
    permission_required = "members.change_member"
    form_class = CommendationForm

    @property
    def title(self):
        return _("Add a commendation")

    @property
    def success_message(self):
        return _("The commendation was added.")

    def perform(self, data):
        services.commendation_add(member=self.get_member(), acting_user=self.request.user, **data)


class TransferQueueView(PermissionRequiredMixin, View):
    permission_required = "members.view_transfer"

    def get(self, request):
        transfers = selectors.transfers_for(request.user, open_only=True).order_by("requested_at")
        page = Paginator(transfers, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "members/transfer_queue.html",
            {"page_obj": page, "transfers": page.object_list, "return_form": TransferReturnForm()},
        )


class TransferDecisionView(PermissionRequiredMixin, View):
    permission_required = "members.approve_transfer"

    def post(self, request, pk, action):
        transfer = selectors.get_transfer_for(request.user, pk)
        try:
            if action == "approve":
                services.member_transfer_approve(transfer=transfer, acting_user=request.user)
                messages.success(request, _("The transfer was approved."))
            elif action == "complete":
                services.member_transfer_complete(transfer=transfer, acting_user=request.user)
                messages.success(request, _("The transfer was completed."))
            elif action == "return":
                form = TransferReturnForm(request.POST)
                reason = form.data.get("return_reason", "")
                services.member_transfer_return(
                    transfer=transfer, acting_user=request.user, reason=reason
                )
                messages.success(request, _("The transfer was returned."))
            else:
                raise Http404
        except services.MemberError as exc:
            messages.error(request, str(exc))
        return redirect("members:transfers")


class TalentPoolView(PermissionRequiredMixin, View):
    permission_required = "members.view_member"

    def get(self, request):
        form = TalentSearchForm(request.GET or None)
        members = None
        page = None
        if form.is_bound and form.is_valid():
            members = selectors.talent_search(
                request.user,
                skill=form.cleaned_data["skill"],
                community=form.cleaned_data["community"],
                willing=True if form.cleaned_data["willing"] else None,
            ).order_by("name", "pk")
            page = Paginator(members, 50).get_page(request.GET.get("page"))
            for member in page.object_list:
                shown(request.user, member)
        return render(
            request,
            "members/talent_pool.html",
            {"form": form, "page_obj": page, "members": page.object_list if page else None},
        )


class ExportView(PermissionRequiredMixin, View):
    permission_required = "members.export_member"

    def get(self, request):
        # members.exports.members_export: the roster as filtered; a large one becomes a job.
        return deliver_export(request, "members")


class ImportTemplateView(PermissionRequiredMixin, View):
    permission_required = "members.import_member"

    def get(self, request):
        response = HttpResponse(
            imports.build_template(request.user), content_type=XLSX_CONTENT_TYPE
        )
        return as_download(response, _("Member import template.xlsx"), stem="members-template")


def _remove_abandoned_uploads(max_age_hours: int = 24) -> None:
    """Uploads never confirmed (a closed browser) do not stay on disk."""
    import datetime

    from django.utils import timezone

    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(hours=max_age_hours)
    for name in files:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except FileNotFoundError:
            continue


def _forget_upload(request) -> None:
    """The stored upload and its problems file go (a new upload, or a finished import)."""
    stored = request.session.pop(IMPORT_SESSION_KEY, None) or {}
    for key in ("path", "problems_path"):
        if stored.get(key) and default_storage.exists(stored[key]):
            default_storage.delete(stored[key])


def _save_problems(check, token: str) -> str | None:
    if not check.invalid_count:
        return None
    return default_storage.save(
        f"{IMPORT_DIR}/{token}-problems.xlsx", ContentFile(imports.problems_workbook(check))
    )


class ImportView(PermissionRequiredMixin, View):
    """Upload → every row checked → preview (nothing written yet)."""

    permission_required = "members.import_member"

    def get(self, request):
        return render(request, "members/import.html", {"form": ImportUploadForm()})

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "members/import.html", {"form": form})
        upload = form.cleaned_data["file"]
        try:
            if not upload.name.lower().endswith(".xlsx"):
                raise imports.ImportRefused(_("Only Excel .xlsx files can be imported."))
            if upload.size > imports.MAX_BYTES:
                raise imports.ImportRefused(_("The file is larger than 5 MB."))
            columns, data = imports.read_workbook(upload, name=upload.name, size=upload.size)
        except imports.ImportRefused as exc:
            form.add_error("file", str(exc))
            return render(request, "members/import.html", {"form": form})
        check = imports.validate_rows(request.user, columns, data)
        _forget_upload(request)
        _remove_abandoned_uploads()
        upload.seek(0)
        token = secrets.token_urlsafe(16)
        path = default_storage.save(f"{IMPORT_DIR}/{token}.xlsx", upload)
        request.session[IMPORT_SESSION_KEY] = {
            "token": token,
            "path": path,
            "name": upload.name,
            "problems_path": _save_problems(check, token),
        }
        return render(
            request,
            "members/import_preview.html",
            {
                "check": check,
                "problems": check.problems[:PROBLEMS_SHOWN],
                "problems_total": len(check.problems),
                "file_name": upload.name,
                "confirm_form": ImportConfirmForm(
                    initial={
                        "token": token,
                        "to_import": check.valid_count,
                        "to_skip": check.invalid_count,
                    }
                ),
            },
        )


class ImportConfirmView(PermissionRequiredMixin, View):
    """导入 → the stored file is checked again and its valid rows written in one transaction
    (the rows with problems skipped, as the button said); the problems stay on the next page."""

    permission_required = "members.import_member"

    def post(self, request):
        form = ImportConfirmForm(request.POST)
        stored = request.session.get(IMPORT_SESSION_KEY)
        if (
            not form.is_valid()
            or not stored
            or not stored.get("token")
            or form.cleaned_data["token"] != stored["token"]
            or not default_storage.exists(stored["path"])
        ):
            messages.error(request, _("The uploaded file has expired; please upload it again."))
            return redirect("members:import")
        try:
            with default_storage.open(stored["path"], "rb") as fileobj:
                columns, data = imports.read_workbook(fileobj, name=stored["name"])
            check = imports.validate_rows(request.user, columns, data)
            created, updated = imports.import_rows(
                request.user,
                check,
                expected=(form.cleaned_data["to_import"], form.cleaned_data["to_skip"]),
            )
        except services.MemberError as exc:
            _forget_upload(request)
            messages.error(request, str(exc))
            return redirect("members:import")
        # The upload goes; the problem rows stay (listed and downloadable) until the next one.
        default_storage.delete(stored["path"])
        request.session[IMPORT_SESSION_KEY] = {
            "name": stored["name"],
            "problems_path": stored.get("problems_path"),
            "result": {"created": created, "updated": updated, "skipped": check.invalid_count},
            "problems": [
                [p.row, p.name, p.column, p.value, p.message]
                for p in check.problems[:PROBLEMS_SHOWN]
            ],
            "problems_total": len(check.problems),
        }
        messages.success(
            request,
            _("Import finished: %(created)s added, %(updated)s updated, %(skipped)s skipped.")
            % {"created": created, "updated": updated, "skipped": check.invalid_count},
        )
        if check.invalid_count:
            return redirect("members:import_done")
        return redirect("members:list")


class ImportDoneView(PermissionRequiredMixin, View):
    """After an import that skipped rows: their problems, and the file of those rows."""

    permission_required = "members.import_member"

    def get(self, request):
        stored = request.session.get(IMPORT_SESSION_KEY) or {}
        if "result" not in stored:
            return redirect("members:import")
        return render(
            request,
            "members/import_done.html",
            {
                "result": stored["result"],
                "file_name": stored["name"],
                "problems": [imports.Problem(*p) for p in stored["problems"]],
                "problems_total": stored["problems_total"],
                "has_problems_file": bool(stored.get("problems_path")),
            },
        )


class ImportProblemsView(PermissionRequiredMixin, View):
    """The rows with problems of the last upload, as .xlsx with a 问题 column."""

    permission_required = "members.import_member"

    def get(self, request):
        stored = request.session.get(IMPORT_SESSION_KEY) or {}
        path = stored.get("problems_path")
        if not path or not default_storage.exists(path):
            raise Http404
        with default_storage.open(path, "rb") as fileobj:
            content = fileobj.read()
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        stem = stored["name"].rsplit(".", 1)[0] or "members"
        filename = _("%(name)s-rows with problems.xlsx") % {"name": stem}
        return as_download(response, filename, stem="members-import-problems")


class MemberSearchView(PermissionRequiredMixin, View):
    """JSON for the member pickers (core.widgets.SearchInput): name and organization only,
    of the members the user may read (never another organization's)."""

    permission_required = "members.view_member"

    def get(self, request):
        rows = selectors.search_members(request.user, request.GET.get("q", ""))
        return search_response(rows, label=lambda m: f"{m.name}（{m.organization.name}）")
