"""Sign-in by QR code (扫码签到) and from the printed sign-in sheet (签到表).

An activity's sign-in link carries a signed token derived from the activity (django.core.
signing: nothing stored, nothing external). The page it opens works without an account, only
from SIGNIN_MARGIN before the start until SIGNIN_MARGIN after the end; the member picks their
name from the expected list and confirms with the last 4 digits of their phone number. Wrong
digits are counted per activity in the cache: at MAX_WRONG_TRIES the activity's sign-in is
locked for LOCK_SECONDS (a guessing stranger stops; the secretary still marks by hand).
The secretary ticks those who signed the paper sheet in one screen (`paper_sheet_record`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import segno
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
)
from activities.services.common import ActivityError, check_activity_scope
from activities.services.meetings import attendance_record, expected_participants
from core.history import bulk_update_with_action, save_with_action
from core.models import User

SIGNIN_MARGIN = datetime.timedelta(hours=1)
MAX_WRONG_TRIES = 20
LOCK_SECONDS = 15 * 60
SALT = "activities.signin"
QR_SIGN_IN = "activities.attendance.qr_sign_in"
PAPER_SIGN_IN = "activities.attendance.paper_sign_in"


class SignInError(ActivityError):
    """A sign-in refused; the message is shown on the public page (translated)."""


# --- The token and the QR code ----------------------------------------------------------------


def signin_token(activity: Activity) -> str:
    return signing.Signer(salt=SALT).sign(str(activity.pk))


def activity_for_token(token: str) -> Activity | None:
    """The activity a token was made for, or None for a forged or mangled token."""
    try:
        pk = int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Activity.objects.filter(pk=pk).first()


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG element (generated here, no external service)."""
    return segno.make(url, error="m").svg_inline(scale=8, border=2, title=url)


# --- The window and the lock --------------------------------------------------------------------


def signin_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    return activity.start - SIGNIN_MARGIN, activity.end + SIGNIN_MARGIN


def check_open(activity: Activity, now: datetime.datetime | None = None) -> None:
    """Refuse (in the reader's language) outside the window, for a cancelled activity or
    while the activity's sign-in is locked."""
    now = now or timezone.now()
    if activity.status == ActivityStatus.CANCELLED:
        raise SignInError(_("This activity has been cancelled: there is nothing to sign in to."))
    opens, closes = signin_window(activity)
    local = timezone.localtime
    if now < opens:
        raise SignInError(
            _("Sign-in opens at %(time)s, one hour before the activity starts.")
            % {"time": local(opens).strftime("%Y-%m-%d %H:%M")}
        )
    if now > closes:
        raise SignInError(
            _("Sign-in closed at %(time)s. Ask the secretary to mark your attendance.")
            % {"time": local(closes).strftime("%Y-%m-%d %H:%M")}
        )
    if is_locked(activity):
        raise SignInError(
            _(
                "Too many wrong tries: sign-in for this activity is paused for a while. Ask "
                "the secretary to mark your attendance."
            )
        )


def _fail_key(activity: Activity) -> str:
    return f"signin:wrong:{activity.pk}"


def _lock_key(activity: Activity) -> str:
    return f"signin:lock:{activity.pk}"


def is_locked(activity: Activity) -> bool:
    return bool(cache.get(_lock_key(activity)))


def _count_wrong_try(activity: Activity) -> None:
    key = _fail_key(activity)
    cache.add(key, 0, LOCK_SECONDS)
    try:
        wrong = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOCK_SECONDS)
        wrong = 1
    if wrong >= MAX_WRONG_TRIES:
        cache.set(_lock_key(activity), True, LOCK_SECONDS)
        cache.delete(key)


# --- Writes ----------------------------------------------------------------------------------


def signin_names(activity: Activity) -> list[tuple[int, str, bool]]:
    """(member id, name, signed in already) for the public page: names only."""
    present = set(
        activity.attendances.filter(status=AttendanceStatus.PRESENT).values_list(
            "member_id", flat=True
        )
    )
    return [
        (pk, name, pk in present)
        for pk, name in expected_participants(activity).values_list("pk", "name")
    ]


@transaction.atomic
def qr_sign_in(
    *,
    activity: Activity,
    member_id: int,
    phone_last4: str,
    now: datetime.datetime | None = None,
) -> Attendance:
    """The member's own sign-in from the QR code's page: present, with the time."""
    now = now or timezone.now()
    check_open(activity, now)
    member = expected_participants(activity).filter(pk=member_id).first()
    if member is None:
        raise SignInError(_("Choose your name from the list."), field="member")
    digits = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if len(digits) != 4:
        raise SignInError(_("Enter the last 4 digits of your phone number."), field="digits")
    phone = "".join(ch for ch in member.phone if ch.isdigit())
    if not phone:
        raise SignInError(
            _("No phone number is on record for you: ask the secretary to mark your attendance.")
        )
    if phone[-4:] != digits:
        _count_wrong_try(activity)
        raise SignInError(
            _("The digits do not match the phone number on record. Try again."),
            field="digits",
        )
    attendance = (
        Attendance.objects.select_for_update().filter(activity=activity, member=member).first()
    )
    if attendance is None:
        attendance = Attendance(activity=activity, member=member)
    elif attendance.status == AttendanceStatus.PRESENT:
        return attendance  # signed in already (a second scan): nothing to change
    attendance.status = AttendanceStatus.PRESENT
    attendance.excused_reason = ""
    attendance.source = AttendanceSource.QR_CODE
    attendance.signed_in_at = now
    attendance.full_clean(validate_constraints=False)
    save_with_action(attendance, QR_SIGN_IN)
    return attendance


@transaction.atomic
def paper_sheet_record(
    *, activity: Activity, present_ids: Iterable[int], acting_user: User
) -> list[Attendance]:
    """Tick from the signed paper sheet: the ticked members are present (recorded from the
    paper); nobody else's attendance changes."""
    check_activity_scope(acting_user, activity)
    ids = sorted({int(pk) for pk in present_ids})
    if not ids:
        raise ActivityError(_("Tick at least one name that was signed on the sheet."))
    saved = attendance_record(
        activity=activity,
        entries=[(pk, AttendanceStatus.PRESENT, "") for pk in ids],
        acting_user=acting_user,
    )
    marked = [a for a in saved if a.source != AttendanceSource.QR_CODE]
    for attendance in marked:
        attendance.source = AttendanceSource.PAPER
    bulk_update_with_action(Attendance, marked, ["source"], PAPER_SIGN_IN, acting_user=acting_user)
    return saved


def signed_in(activity: Activity) -> list[dict]:
    """Who is present and how (the attendance page's live view reads this as JSON)."""
    rows = activity.attendances.filter(status=AttendanceStatus.PRESENT).order_by(
        "signed_in_at", "member__name"
    )
    return [
        {
            "member": row["member_id"],
            "source": row["source"],
            "time": timezone.localtime(row["signed_in_at"]).strftime("%H:%M")
            if row["signed_in_at"]
            else "",
        }
        for row in rows.values("member_id", "source", "signed_in_at")
    ]
