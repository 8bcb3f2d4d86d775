"""Pages of co-training (党员联培): training sessions, micro-lecture contests and their entries,
lecture teams."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from activities import selectors, services
from activities.forms import (
    ContestEntryForm,
    ContestForm,
    JudgeScoreForm,
    LectureTeamForm,
    TrainingSessionForm,
)
from activities.models import ActivityStatus, Contest, ContestEntry, LectureTeam, TrainingSession
from activities.services import ActivityError
from activities.views.common import FormPermissionMixin
from core.views import FormPageView, PortalPermissionMixin, add_service_error


class TrainingListView(PortalPermissionMixin, ListView):
    permission_required = "activities.view_training"
    template_name = "activities/training_list.html"
    paginate_by = 25
    context_object_name = "sessions"

    def get_queryset(self):
        return (
            selectors.training_sessions_for(self.request.user)
            .annotate(trainee_count=Count("trainees"))
            .order_by("-date", "pk")
        )


class TrainingCreateView(FormPageView):
    permission_required = "activities.add_trainingsession"
    form_class = TrainingSessionForm

    def get_title(self) -> str:
        return _("New training session")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        trainees = data.pop("trainees")
        try:
            services.training_create(acting_user=self.request.user, trainees=trainees, **data)
        except ActivityError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The training session was saved."))
        return redirect("activities:training")


class TrainingPageMixin(PortalPermissionMixin):
    """A training session as the list scopes it: another organization's session is a 404."""

    def get_object(self):
        return selectors.get_training_for(self.request.user, self.kwargs["pk"])


class TrainingDetailView(TrainingPageMixin, View):
    permission_required = "activities.view_training"
    template_name = "activities/training_detail.html"

    def get(self, request, pk):
        session = self.object
        trainees = list(selectors.trainees_for(request.user, session))
        return render(
            request,
            self.template_name,
            {
                "session": session,
                "trainees": trainees,
                "can_change": request.user.has_perm("activities.change_trainingsession", session),
            },
        )


class TrainingUpdateView(TrainingPageMixin, FormPageView):
    permission_required = "activities.change_trainingsession"
    form_class = TrainingSessionForm

    def get_title(self) -> str:
        return _("Change training session “%(title)s”") % {"title": self.object.title}

    def get_cancel_url(self) -> str:
        return reverse("activities:training_detail", args=[self.object.pk])

    def get_form_kwargs(self):
        # A copy of the session for the form, so that a refused change leaves self.object as read.
        instance = TrainingSession.objects.get(pk=self.object.pk)
        return {**super().get_form_kwargs(), "instance": instance, "user": self.request.user}

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        trainees = data.pop("trainees")
        try:
            services.training_update(
                session=self.object, acting_user=self.request.user, trainees=trainees, **data
            )
        except ActivityError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The training session was saved."))
        return redirect("activities:training_detail", pk=self.object.pk)


class ContestListView(FormPermissionMixin, View):
    """Every reader sees the contests; bureau staff create them here."""

    permission_required = "activities.view_training"
    post_permission_required = "activities.change_contest"
    template_name = "activities/contest_list.html"

    def _render(self, request, form):
        contests = Contest.objects.select_related("organization").annotate(
            entry_count=Count("entries")
        )
        return render(request, self.template_name, {"contests": contests, "form": form})

    def get(self, request):
        form = ContestForm(user=request.user) if self.can_post() else None
        return self._render(request, form)

    def post(self, request):
        form = ContestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                contest = services.contest_create(acting_user=request.user, **form.cleaned_data)
            except ActivityError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The contest was created."))
                return redirect("activities:contest", pk=contest.pk)
        return self._render(request, form)


class ContestDetailView(FormPermissionMixin, View):
    """The ranking for every reader; entries and judges' scores for bureau staff."""

    permission_required = "activities.view_training"
    post_permission_required = "activities.change_contest"
    template_name = "activities/contest_detail.html"

    def get_object(self):
        return selectors.get_contest(self.request.user, self.kwargs["pk"])

    def _render(self, request, entry_form=None, score_form=None):
        contest = self.object
        can_change = self.can_post()
        return render(
            request,
            self.template_name,
            {
                "contest": contest,
                "ranking": selectors.contest_ranking(contest),
                "can_change": can_change,
                "entry_form": entry_form
                or (ContestEntryForm(user=request.user) if can_change else None),
                "score_form": score_form
                or (JudgeScoreForm(contest=contest) if can_change else None),
            },
        )

    def get(self, request, pk):
        return self._render(request)

    def post(self, request, pk):
        contest = self.object
        if "judge" in request.POST:
            form = JudgeScoreForm(request.POST, contest=contest)
            if form.is_valid():
                try:
                    services.judge_score_record(acting_user=request.user, **form.cleaned_data)
                except ActivityError as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(request, _("The score was saved."))
                    return redirect("activities:contest", pk=contest.pk)
            return self._render(request, score_form=form)
        form = ContestEntryForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.contest_entry_add(
                    contest=contest, acting_user=request.user, **form.cleaned_data
                )
            except ActivityError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The entry was added."))
                return redirect("activities:contest", pk=contest.pk)
        return self._render(request, entry_form=form)


class ContestEntryUpdateView(FormPageView):
    """Correct an entry's lecturer or title (bureau staff, who run the contests)."""

    permission_required = "activities.change_contest"
    form_class = ContestEntryForm

    def get_object(self):
        return selectors.get_contest_entry(self.request.user, self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Change contest entry “%(title)s”") % {"title": self.object.title}

    def get_cancel_url(self) -> str:
        return reverse("activities:contest", args=[self.object.contest_id])

    def get_form_kwargs(self):
        instance = ContestEntry.objects.get(pk=self.object.pk)
        return {**super().get_form_kwargs(), "instance": instance, "user": self.request.user}

    def form_valid(self, form):
        entry = self.object
        try:
            services.contest_entry_update(
                entry=entry,
                member=form.cleaned_data["member"],
                title=form.cleaned_data["title"],
                acting_user=self.request.user,
            )
        except ActivityError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The entry was saved."))
        return redirect("activities:contest", pk=entry.contest_id)


class LectureTeamListView(FormPermissionMixin, View):
    """The lecture teams for every reader; bureau staff keep them here."""

    permission_required = "activities.view_training"
    post_permission_required = "activities.change_lectureteam"
    template_name = "activities/lecture_teams.html"

    def _render(self, request, form):
        teams = LectureTeam.objects.select_related("organization").annotate(
            lecturer_count=Count("members", distinct=True),
            lecture_count=Count(
                "lectures", filter=Q(lectures__status=ActivityStatus.HELD), distinct=True
            ),
        )
        return render(request, self.template_name, {"teams": teams, "form": form})

    def get(self, request):
        return self._render(
            request, LectureTeamForm(user=request.user) if self.can_post() else None
        )

    def post(self, request):
        form = LectureTeamForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            members = data.pop("members")
            try:
                services.lecture_team_save(acting_user=request.user, members=members, **data)
            except ActivityError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The lecture team was saved."))
                return redirect("activities:lectures")
        return self._render(request, form)
