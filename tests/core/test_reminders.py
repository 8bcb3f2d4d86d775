"""Reminders (core.reminders + every app's providers): each kind reaches the person who can
act, names its item, links to a page that opens for them; emails and text messages go out;
a second run and a dry run send nothing new; each provider's queries do not grow with the
number of organizations."""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Claim, Need, Resource
from assessment import services as assessment_services
from assessment.models import Rubric
from branches.models import Community, Organization
from branches.services import committee_term_start
from core import reminders, sms
from core.actors import system_actor
from core.models import Delivery, Notification, User
from members.services import member_create, member_transfer_request
from tests.assessment.conftest import make_rubric
from tests.factories import make_org, make_user
from tests.members.conftest import member_fields
from venues.models import Booking, Room, Venue

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)  # a Monday in March: Q1 and March end this month

KINDS = [
    "meetings-due",
    "meetings-overdue",
    "term-ending",
    "term-overdue",
    "booking-waiting",
    "claim-unanswered",
    "need-expiring",
    "transfer-requested",
    "rectification-due",
    "self-assessment-due",
    "scoring-due",
]


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def add_branch(tree, i: int, *, staff, supervisor, today=TODAY) -> SimpleNamespace:
    """Two branches under the joint committee, each with its secretary, and one item of every
    organization-level kind for the first (the second is the other side: it books, claims,
    receives the transfer, and its committee's term is overdue)."""
    system = system_actor()
    branch = make_org(
        name=f"第{i}书画趣缘党支部",
        kind="branch",
        category="three_affinity",
        affinity="interest",
        parent=tree.joint,
    )
    other = make_org(
        name=f"第{i}教育局离退休干部党支部",
        kind="branch",
        category="established",
        parent=tree.committee,
    )
    secretary = make_user(
        f"sec{i}",
        role="secretary",
        organization=branch,
        email=f"sec{i}@example.org",
        phone=f"1391234{i:04d}",
        notify_by_sms=True,
    )
    other_secretary = make_user(
        f"sec{i}b", role="secretary", organization=other, email=f"sec{i}b@example.org"
    )
    committee_term_start(
        organization=branch,
        acting_user=system,
        started_on=today - datetime.timedelta(days=3 * 365 - 30),
        ends_on=today + datetime.timedelta(days=30),
    )
    committee_term_start(
        organization=other,
        acting_user=system,
        started_on=today - datetime.timedelta(days=3 * 365 + 10),
        ends_on=today - datetime.timedelta(days=10),
    )
    member = member_create(acting_user=staff, organization=branch, **member_fields())
    member_transfer_request(
        member=member, to_organization=other, reason="随子女迁居", acting_user=secretary
    )
    venue = Venue.objects.create(name=f"第{i}党群服务站", owner=branch)
    room = Room.objects.create(
        venue=venue, name="党员宣誓室", type="oath", capacity=20, needs_approval=True
    )
    booking = Booking.objects.create(
        room=room,
        organization=other,
        purpose="主题党日",
        start=at(today + datetime.timedelta(days=5), 9),
        end=at(today + datetime.timedelta(days=5), 11),
        expected_attendees=15,
    )
    Booking.objects.filter(pk=booking.pk).update(
        created_at=at(today - datetime.timedelta(days=2), 10)
    )
    resource = Resource.objects.create(
        title=f"书法进社区{i}",
        category="culture",
        organization=branch,
        available_from=today,
        available_until=today + datetime.timedelta(days=60),
    )
    claim = Claim.objects.create(resource=resource, claiming_organization=other, people=2)
    Claim.objects.filter(pk=claim.pk).update(claimed_at=at(today - datetime.timedelta(days=3), 10))
    need = Need.objects.create(
        title=f"楼道清理志愿者{i}",
        category="environment",
        community=tree.community,
        posted_by_organization=branch,
        wanted_by=today + datetime.timedelta(days=5),
    )
    inspection = assessment_services.inspection_record(
        kind="guidance",
        date=today - datetime.timedelta(days=20),
        organization=branch,
        inspectors=[supervisor],
        findings="会议记录不规范",
        acting_user=supervisor,
    )
    rectification = assessment_services.rectification_add(
        inspection=inspection,
        required=f"补齐党课记录{i}",
        deadline=today + datetime.timedelta(days=7),
        acting_user=supervisor,
    )
    return SimpleNamespace(
        branch=branch,
        other=other,
        secretary=secretary,
        other_secretary=other_secretary,
        member=member,
        booking=booking,
        claim=claim,
        need=need,
        inspection=inspection,
        rectification=rectification,
    )


def open_rounds(branches, *, staff, supervisor, rubric=None, today=TODAY):
    """A round in self-assessment (due in 3 days) and one in scoring (due in 3 days) over
    `branches`, the supervisor assigned in the second."""
    rubric = rubric or make_rubric(2026, "three_affinity")
    own = assessment_services.round_create(
        year=rubric.year,
        title="2026 年度自评",
        rubrics=[rubric],
        self_assessment_due=today + datetime.timedelta(days=3),
        acting_user=staff,
    )
    assessment_services.round_set_scope(round=own, organizations=branches, acting_user=staff)
    assessment_services.round_open_self_assessment(round=own, acting_user=staff)
    scoring = assessment_services.round_create(
        year=rubric.year,
        title="2026 年度考核",
        rubrics=[rubric],
        self_assessment_due=today - datetime.timedelta(days=10),
        scoring_due=today + datetime.timedelta(days=3),
        acting_user=staff,
    )
    assessment_services.round_set_scope(round=scoring, organizations=branches, acting_user=staff)
    assessment_services.round_assign(
        round=scoring, organizations=branches, supervisors=[supervisor], acting_user=staff
    )
    assessment_services.round_open_self_assessment(round=scoring, acting_user=staff)
    assessment_services.round_open_scoring(round=scoring, acting_user=staff)
    return own, scoring


def build_world(org_tree, n: int) -> SimpleNamespace:
    staff = make_user("bureau", role="staff", email="bureau@example.org")
    supervisor = make_user("inspector", role="supervisor", email="inspector@example.org")
    sets = [add_branch(org_tree, i, staff=staff, supervisor=supervisor) for i in range(n)]
    own, scoring = open_rounds([s.branch for s in sets], staff=staff, supervisor=supervisor)
    return SimpleNamespace(
        staff=staff, supervisor=supervisor, sets=sets, own_round=own, scoring_round=scoring
    )


@pytest.fixture
def world(org_tree):
    return build_world(org_tree, 1)


def inbox(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


# Kinds added with later features, each tested in its app's test_reminders.py.
LATER_KINDS = ["care-visits-due", "document-reply-due", "cohost-requests-pending"]


def test_every_kind_is_registered():
    assert sorted(k.kind for k in reminders.registered_kinds()) == sorted(KINDS + LATER_KINDS)


# kind → (who gets it, what its title names, which page it opens)
def expectations(world):
    s = world.sets[0]
    own_assessment = world.own_round.assessments.get(organization=s.branch)
    scored = world.scoring_round.assessments.get(organization=s.branch)
    return {
        "meetings-due": (s.secretary, s.branch.name, f"/activities/compliance/{s.branch.pk}/"),
        "meetings-overdue": (s.secretary, s.branch.name, f"/activities/compliance/{s.branch.pk}/"),
        "term-ending": (s.secretary, s.branch.name, f"/branches/{s.branch.pk}/elections/new/"),
        "term-overdue": (s.other_secretary, s.other.name, f"/branches/{s.other.pk}/elections/new/"),
        "booking-waiting": (s.secretary, s.other.name, f"/venues/bookings/{s.booking.pk}/"),
        "claim-unanswered": (
            s.secretary,
            s.claim.resource.title,
            f"/alliance/claims/{s.claim.pk}/",
        ),
        "need-expiring": (s.secretary, s.need.title, f"/alliance/needs/{s.need.pk}/"),
        "transfer-requested": (world.staff, s.member.name, "/members/transfers/"),
        "rectification-due": (
            s.secretary,
            s.rectification.required,
            f"/assessment/inspections/{s.inspection.pk}/",
        ),
        "self-assessment-due": (
            s.secretary,
            s.branch.name,
            f"/assessment/assessments/{own_assessment.pk}/self/",
        ),
        "scoring-due": (
            world.supervisor,
            s.branch.name,
            f"/assessment/assessments/{scored.pk}/score/",
        ),
    }


def test_each_kind_reaches_the_person_who_can_act_and_opens_for_them(world, client):
    summary = reminders.send_reminders(today=TODAY)
    for kind, (user, named, url) in expectations(world).items():
        items = inbox(user, kind)
        assert len(items) == 1, (kind, [n.title for n in inbox(user, kind)])
        item = items[0]
        assert named in item.title, (kind, item.title)
        assert item.url == url, kind
        assert summary[kind].notifications >= 1
        client.force_login(user)
        assert client.get(item.url).status_code == 200, (kind, item.url)


def test_the_rectification_reaches_the_inspector_too(world):
    reminders.send_reminders(today=TODAY)
    assert len(inbox(world.supervisor, "rectification-due")) == 1


def test_another_organizations_secretary_gets_nothing_of_it(world):
    reminders.send_reminders(today=TODAY)
    s = world.sets[0]
    theirs = Notification.objects.filter(user=s.other_secretary)
    # branch B's own reminders (its overdue term, its meetings) only: nothing names branch A
    assert theirs.exists()
    assert not [n.title for n in theirs if s.branch.name in n.title]
    assert not theirs.filter(
        kind__in=["booking-waiting", "claim-unanswered", "need-expiring", "rectification-due"]
    ).exists()
    # and nobody outside the tree gets anything
    stranger = make_user(
        "stranger",
        role="secretary",
        organization=make_org(name="灵武市老年大学", kind="elderly_university"),
    )
    reminders.send_reminders(today=TODAY)
    assert not Notification.objects.filter(user=stranger).exists()


def test_emails_and_text_messages_are_sent(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    sms.outbox.clear()
    s = world.sets[0]
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(today=TODAY)
    to_secretary = [m for m in mail.outbox if m.to == [s.secretary.email]]
    kinds_for_secretary = {
        kind for kind, (user, *_rest) in expectations(world).items() if user == s.secretary
    }
    assert len(to_secretary) == len(kinds_for_secretary)
    assert any(s.need.title in m.subject for m in to_secretary)
    assert [m for m in mail.outbox if m.to == [world.staff.email]]
    texts = [m for m in sms.outbox if m.phone == s.secretary.phone]
    assert len(texts) == len(kinds_for_secretary)
    assert all(m.text.startswith(settings.SMS_SIGNATURE) for m in texts)
    assert Delivery.objects.filter(channel="sms", status="sent").count() == len(texts)
    sms.outbox.clear()


def test_a_second_run_sends_nothing_new(world):
    first = reminders.send_reminders(today=TODAY)
    count = Notification.objects.count()
    assert sum(s.notifications for s in first.values()) == count > 0
    second = reminders.send_reminders(today=TODAY)
    assert Notification.objects.count() == count
    assert sum(s.notifications for s in second.values()) == 0


def test_the_command_dry_run_lists_and_sends_nothing_then_the_run_sends(world):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--date", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert Notification.objects.count() == 0
    assert "试运行" in text or "dry run" in text
    s = world.sets[0]
    assert s.need.title in text and s.member.name in text
    out = io.StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    created = Notification.objects.count()
    assert created > 0
    out = io.StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert Notification.objects.count() == created
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--date", TODAY.isoformat(), stdout=out)
    assert s.need.title not in out.getvalue()  # already sent: nothing new to list


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "16/03/2026", stdout=io.StringIO())


def test_the_task_runs_the_reminders(world):
    result = reminders.send_reminders_task.call(TODAY.isoformat())
    assert result["transfer-requested"] == 1
    assert Notification.objects.filter(kind="transfer-requested").count() == 1


def _queries(kind: str) -> int:
    provider = reminders.get_kind(kind).provider
    system_actor()  # created once; the providers' own reads are what is counted
    cache.clear()  # computed, not read from a cached city-wide list (core.generations)
    with CaptureQueriesContext(connection) as queries:
        result = list(provider(TODAY))
    assert result, kind
    return len(queries)


@pytest.mark.parametrize("kind", KINDS)
def test_each_provider_reads_a_fixed_number_of_queries(org_tree, kind):
    world = build_world(org_tree, 1)
    small = _queries(kind)
    more = [add_branch(org_tree, i, staff=world.staff, supervisor=world.supervisor) for i in (7, 8)]
    if kind in ("self-assessment-due", "scoring-due"):
        # more organizations in more rounds
        rubric = world.own_round.rubrics.get()
        open_rounds(
            [s.branch for s in more], staff=world.staff, supervisor=world.supervisor, rubric=rubric
        )
    assert _queries(kind) == small, kind


# --- With the demo data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One full seed_demo for the demo test, rolled back after it (as tests/home does)."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        debug, settings.DEBUG = settings.DEBUG, True
        try:
            call_command("seed_demo", stdout=io.StringIO())
        finally:
            settings.DEBUG = debug
        yield
        transaction.set_rollback(True)


def test_with_the_demo_data_every_kind_is_sent_once(
    seeded, client, settings, django_capture_on_commit_callbacks
):
    """The demo world, its requested bookings and pending claims 3 days old; what the demo
    has no reachable item of (it has one secretary account) is added under its joint
    committee by the same helper as above."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    sms.outbox.clear()
    today = timezone.localdate()
    secretary = User.objects.get(username="secretary")
    User.objects.filter(pk=secretary.pk).update(
        email="secretary@example.org", phone="13900000001", notify_by_sms=True
    )
    Booking.objects.filter(status="requested").update(
        created_at=at(today - datetime.timedelta(days=3), 9)
    )
    Claim.objects.filter(state="pending").update(
        claimed_at=at(today - datetime.timedelta(days=3), 9)
    )
    staff = User.objects.get(username="bureau")
    supervisor = User.objects.get(username="supervisor")
    joint = Organization.objects.filter(kind="joint_committee").order_by("pk").first()
    tree = SimpleNamespace(joint=joint, committee=joint.parent, community=Community.objects.first())
    added = add_branch(tree, 0, staff=staff, supervisor=supervisor, today=today)
    rubric = Rubric.objects.filter(category="three_affinity").order_by("-year").first()
    open_rounds([added.branch], staff=staff, supervisor=supervisor, rubric=rubric, today=today)

    with django_capture_on_commit_callbacks(execute=True):
        summary = reminders.send_reminders(today=today)
    for kind in KINDS:
        items = Notification.objects.filter(kind=kind).select_related("user")
        assert items.exists(), kind
        assert summary[kind].notifications == items.count()
        for item in items[:3]:
            assert item.title and item.url, kind
            client.force_login(item.user)
            assert client.get(item.url).status_code == 200, (kind, item.user, item.url)
    # the demo's own secretary: a reminder of their own branch, by email and text message
    theirs = Notification.objects.filter(user=secretary)
    assert theirs.filter(title__contains=secretary.organization.name).exists()
    assert len([m for m in mail.outbox if m.to == ["secretary@example.org"]]) == theirs.count()
    assert len([m for m in sms.outbox if m.phone == "13900000001"]) == theirs.count()
    sms.outbox.clear()
    count = Notification.objects.count()
    again = reminders.send_reminders(today=today)
    assert Notification.objects.count() == count
    assert sum(s.notifications for s in again.values()) == 0
