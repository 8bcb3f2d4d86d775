"""The task row of each role's 首页 (长辈版): big buttons for what that person does most, and
under them what needs doing now — each item one tap from the form that does it.

A button or an item is offered only to someone whose permission rule lets them use it (the
apps' own rules, asked through `user.has_perm`), so nothing on the 首页 answers 无权操作.
Every list is cut to LIST_LIMIT rows and read with a bounded number of queries, whatever the
number of rows behind it (tests/home/test_task_home.py counts them).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityStatus
from activities.selectors import OverdueItem, activities_for
from alliance.models import ClaimState
from alliance.selectors import claim_inbox
from core.notifications import inbox_for, unread_count
from members.selectors.care import due_queryset, due_row
from venues.selectors import pending_for

LIST_LIMIT = 3
# The sign-in button opens the QR code of the next activity starting within this time (or
# running now); with none, the activity list.
SIGNIN_AHEAD = datetime.timedelta(days=7)
SIGNIN_BEHIND = datetime.timedelta(hours=3)


@dataclass(frozen=True)
class Task:
    """One big button: `key` names it for tests and styles (data-task)."""

    key: str
    label: str
    icon: str
    url: str
    count: int | None = None  # how many are waiting (a badge), None for no badge
    hint: str = ""


@dataclass(frozen=True)
class TodoItem:
    text: str
    url: str
    action: str  # the button's words: what the tap does
    detail: str = ""


@dataclass
class TodoList:
    """What needs doing now of one kind: the first LIST_LIMIT items and how many there are."""

    key: str
    title: str
    icon: str
    items: list[TodoItem] = field(default_factory=list)
    count: int = 0
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _link(name: str, *args, query: dict | None = None) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


# --- A secretary ---------------------------------------------------------------------------


def secretary_tasks(
    user, *, overdue: list[OverdueItem], today: datetime.date | None = None
) -> dict:
    """The secretary's buttons and lists. `overdue` is the panel's overdue_compliance (read
    once for both)."""
    today = today or timezone.localdate()
    lists: list[TodoList] = []
    if user.has_perm("activities.log_meeting"):
        lists.append(_overdue_meetings(overdue))
    if user.has_perm("members.care_for_member"):
        lists.append(_visits_due(user, today))
    if user.has_perm("venues.view_approvals"):
        lists.append(_bookings_waiting(user))
    if user.has_perm("alliance.view_claim_inbox"):
        lists.append(_claims_waiting(user))
    lists.append(_unread_notices(user))
    counts = {todo.key: todo.count for todo in lists}

    tasks = []
    if user.has_perm("activities.log_meeting"):
        tasks.append(
            Task(
                "meeting_log",
                _("Log a meeting"),
                "journal-check",
                reverse("activities:meeting_log"),
                counts.get("overdue_meetings"),
                _("A meeting with its attendance and minutes"),
            )
        )
    tasks.append(_signin_task(user))
    if user.has_perm("venues.add_booking"):
        tasks.append(
            Task(
                "book_room",
                _("Book a venue"),
                "building-check",
                reverse("venues:free"),
                counts.get("bookings_waiting"),
            )
        )
    if user.has_perm("alliance.claim_need"):
        tasks.append(
            Task(
                "claim_need",
                _("Claim a need"),
                "hand-index",
                _link("alliance:need_list", query={"state": "open"}),
                counts.get("claims_waiting"),
            )
        )
    if user.has_perm("members.view_care"):
        tasks.append(
            Task(
                "care",
                _("Visits and care"),
                "heart",
                reverse("members:care"),
                counts.get("visits_due"),
            )
        )
    tasks.append(_notifications_task(counts.get("unread_notices")))
    return {
        "tasks": [t for t in tasks if t is not None],
        "todo_lists": lists,
        "todo_count": sum(todo.count for todo in lists),
    }


def _signin_task(user) -> Task | None:
    """考勤签到: the QR code of the next activity the secretary may take attendance of."""
    now = timezone.now()
    upcoming = (
        activities_for(user)
        .filter(
            status__in=(ActivityStatus.PLANNED, ActivityStatus.HELD),
            start__lte=now + SIGNIN_AHEAD,
            end__gte=now - SIGNIN_BEHIND,
        )
        .order_by("start", "pk")
    )
    for activity in upcoming[:LIST_LIMIT]:
        if user.has_perm("activities.mark_attendance", activity):
            return Task(
                "signin",
                _("Attendance sign-in"),
                "qr-code",
                reverse("activities:signin_qr", args=[activity.pk]),
                hint=activity.title,
            )
    return Task(
        "signin",
        _("Attendance sign-in"),
        "qr-code",
        reverse("activities:list"),
        hint=_("No activity in the coming week: choose one from the list"),
    )


def _notifications_task(unread: int | None) -> Task:
    return Task(
        "notifications", _("Notifications"), "bell", reverse("notifications:inbox"), unread or 0
    )


def _todo(key, title, icon, rows, *, more_url: str, item) -> TodoList:
    """A to-do list of `rows` (a queryset or a list): how many there are, and the first
    LIST_LIMIT made into TodoItems by `item(row)`."""
    count = len(rows) if isinstance(rows, list) else rows.count()
    return TodoList(
        key,
        title,
        icon,
        items=[item(row) for row in rows[:LIST_LIMIT]],
        count=count,
        more_url=more_url,
    )


def _overdue_meetings(overdue: list[OverdueItem]) -> TodoList:
    return _todo(
        "overdue_meetings",
        _("Overdue meetings"),
        "exclamation-triangle",
        overdue,
        more_url=reverse("activities:compliance"),
        item=lambda item: TodoItem(
            f"{item.type_label} · {item.period_label}",
            _link(
                "activities:meeting_log",
                query={"organization": item.organization.pk, "type": item.activity_type},
            ),
            _("Log it"),
            _("%(organization)s: %(held)s of %(required)s held")
            % {"organization": item.organization, "held": item.held, "required": item.required},
        ),
    )


def _visits_due(user, today: datetime.date) -> TodoList:
    due = due_queryset(
        user, year=today.year, month=today.month, today=today, organization=user.organization
    )
    return _todo(
        "visits_due",
        _("Visits due this month"),
        "heart",
        due,
        more_url=reverse("members:care"),
        item=lambda member: TodoItem(
            member.name,
            _link(
                "members:visit_add",
                member.pk,
                query={"kind": due_row(member, year=today.year).suggested_kind},
            ),
            _("Record a visit"),
            str(member.organization),
        ),
    )


def _bookings_waiting(user) -> TodoList:
    def item(booking) -> TodoItem:
        start = timezone.localtime(booking.start)
        return TodoItem(
            f"{start:%Y-%m-%d %H:%M} · {booking.room.venue} {booking.room.name}",
            booking.get_absolute_url(),
            _("Decide"),
            str(booking.organization),
        )

    return _todo(
        "bookings_waiting",
        _("Bookings waiting for your decision"),
        "calendar-check",
        pending_for(user),
        more_url=reverse("venues:approvals"),
        item=item,
    )


def _claims_waiting(user) -> TodoList:
    incoming, _outgoing = claim_inbox(user)
    return _todo(
        "claims_waiting",
        _("Claims waiting for your answer"),
        "hand-thumbs-up",
        incoming.filter(state=ClaimState.PENDING).order_by("pk"),
        more_url=reverse("alliance:claim_inbox"),
        item=lambda claim: TodoItem(
            str(claim.need or claim.resource),
            claim.get_absolute_url(),
            _("Answer"),
            str(claim.claiming_organization),
        ),
    )


def _unread_notices(user) -> TodoList:
    return _todo(
        "unread_notices",
        _("Unread notifications"),
        "bell",
        inbox_for(user).filter(read_at__isnull=True),
        more_url=reverse("notifications:inbox"),
        item=lambda notification: TodoItem(
            notification.title,
            reverse("notifications:open", args=[notification.pk]),
            _("Read it"),
            f"{timezone.localtime(notification.created_at):%Y-%m-%d}",
        ),
    )


# --- A supervisor --------------------------------------------------------------------------


def supervisor_tasks(user, *, assignments: list[dict]) -> dict:
    """The supervisor's buttons; `assignments` are the panel's rows (supervisor_panel)."""
    to_score = [row for row in assignments if row.get("score_url")]
    tasks = [
        Task(
            "my_assignments",
            _("Organizations to score"),
            "clipboard-check",
            reverse("assessment:my_assignments"),
            len(to_score),
        )
    ]
    if user.has_perm("assessment.view_inspection"):
        tasks.append(
            Task("inspections", _("Inspections"), "search", reverse("assessment:inspection_list"))
        )
    tasks.append(_notifications_task(unread_count(user)))
    return {"tasks": tasks, "to_score": to_score}


# --- Staff, liaison and viewer --------------------------------------------------------------


def staff_tasks(user) -> dict:
    tasks = []
    if user.has_perm("venues.view_approvals"):
        count = pending_for(user).count()
        tasks.append(
            Task(
                "approvals",
                _("Booking approvals"),
                "calendar-check",
                reverse("venues:approvals"),
                count,
            )
        )
    if user.has_perm("members.approve_transfer"):
        tasks.append(
            Task("transfers", _("Transfers"), "arrow-left-right", reverse("members:transfers"))
        )
    if user.has_perm("assessment.change_round"):
        tasks.append(
            Task(
                "rounds",
                _("Assessment rounds"),
                "clipboard-check",
                reverse("assessment:round_list"),
            )
        )
    if user.has_perm("alliance.add_document"):
        tasks.append(
            Task(
                "documents",
                _("Documents and notices"),
                "file-earmark-text",
                reverse("alliance:document_list"),
            )
        )
    tasks.append(
        Task("reports", _("Reports"), "file-earmark-spreadsheet", reverse("reports:index"))
    )
    tasks.append(_notifications_task(unread_count(user)))
    return {"tasks": tasks}


def viewer_tasks(user) -> dict:
    tasks = [
        Task("organizations", _("Organizations"), "diagram-3", reverse("branches:list")),
        Task("activities", _("Activities"), "calendar-event", reverse("activities:list")),
        Task("reports", _("Reports"), "file-earmark-spreadsheet", reverse("reports:index")),
        _notifications_task(unread_count(user)),
    ]
    return {"tasks": tasks}


def liaison_tasks(user, *, community) -> dict:
    tasks = []
    if user.has_perm("alliance.add_need"):
        tasks.append(
            Task("post_need", _("Post a need"), "megaphone", reverse("alliance:need_create"))
        )
    if user.has_perm("alliance.view_claim_inbox"):
        waiting = claim_inbox(user)[0].filter(state=ClaimState.PENDING).count()
        tasks.append(
            Task(
                "claims",
                _("Claims"),
                "hand-thumbs-up",
                reverse("alliance:claim_inbox"),
                waiting,
            )
        )
    if user.has_perm("venues.add_booking"):
        tasks.append(Task("book_room", _("Book a venue"), "building-check", reverse("venues:free")))
    if community is not None:
        tasks.append(
            Task(
                "community",
                _("Your community"),
                "house-heart",
                reverse("alliance:community", args=[community.pk]),
            )
        )
    tasks.append(_notifications_task(unread_count(user)))
    return {"tasks": tasks}
