"""No dead ends: for each role, start at 首页 and follow every internal link (breadth-first,
GET only) on each page reached; no link may answer 403, 404 or 5xx. A link is shown only to
someone who may use it (the permission rules, asked in the templates).

The data is one record of each kind, built through the services (`records`), so the pages
have rows to link to.
Pages of the same shape (the same path with the numbers taken out, the same query keys) are
visited at most SAME_SHAPE times, and at most MAX_PAGES pages per role.
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import CoordinationCategory

pytestmark = pytest.mark.django_db

MAX_PAGES = 300
SAME_SHAPE = 2
DEAD = {403, 404, 405}
# Not pages: leaving (退出 is a form anyway), files served by the web server, the admin site
# (Django's own, for superusers only).
SKIP_PREFIXES = ("/static/", "/media/", "/admin/")
HTML = "text/html"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        absolute = urljoin("http://testserver" + page_url, href)
        parts = urlsplit(absolute)
        if parts.netloc != "testserver":
            continue  # another site
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url.startswith(SKIP_PREFIXES) or parts.path == reverse("logout"):
            continue
        found.append(url)
    return found


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client, *, start: str = "/") -> tuple[list[tuple[str, str, int]], int]:
    """Breadth-first from `start`: [(page that links, link, status)] of every dead link, and
    how many pages were fetched."""
    queue: deque[tuple[str, str]] = deque([("(start)", start)])
    seen = {start}
    shapes: dict[str, int] = {}
    dead = []
    fetched = 0
    while queue and fetched < MAX_PAGES:
        source, url = queue.popleft()
        response = client.get(url)
        fetched += 1
        status = response.status_code
        if status in DEAD or status >= 500:
            dead.append((source, url, status))
            continue
        if status in (301, 302, 303, 307, 308):
            targets = [response["Location"]]
        elif HTML in response.get("Content-Type", "") and not response.streaming:
            targets = links_of(url, response.content.decode())
        else:
            continue  # a file download (.xlsx, .ics, a QR code…): nothing to follow
        for target in targets:
            target = urlsplit(urljoin("http://testserver" + url, target))
            if target.netloc not in ("", "testserver"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link in seen or link.startswith(SKIP_PREFIXES):
                continue
            seen.add(link)
            key = shape(link)
            if shapes.get(key, 0) >= SAME_SHAPE:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            queue.append((url, link))
    return dead, fetched


ROLES = ("staff", "secretary", "supervisor", "liaison", "viewer")


@pytest.fixture
def records(org_tree, make_user):
    """One of each kind of record the roles' pages link to, built through the services: users
    of every role, members (one due a visit), a meeting held and one tomorrow, a venue of the
    secretary's branch with a booking waiting, a community need, a round in scoring, notices."""
    from activities.services import activity_create
    from alliance.services import need_post
    from assessment import services as assessment
    from core.notifications import notify
    from members.identity import make_id_number
    from members.services import member_create
    from tests.assessment.conftest import make_rubric
    from tests.factories import make_org
    from venues.models import OpeningHours, Room, Venue
    from venues.services import booking_create

    community_org = make_org(
        name="阅海万家社区党委",
        kind="community_org",
        district=org_tree.district,
        community=org_tree.community,
    )
    users = {
        "staff": make_user("staff", role="staff"),
        "secretary": make_user("secretary", role="secretary", organization=org_tree.branch_a),
        "supervisor": make_user("supervisor", role="supervisor"),
        "liaison": make_user(
            "liaison", role="liaison", community=org_tree.community, organization=community_org
        ),
        "viewer": make_user("viewer", role="viewer"),
    }
    staff = users["staff"]
    today = timezone.localdate()
    for number, (organization, age) in enumerate(
        [(org_tree.branch_a, 85), (org_tree.branch_a, 70), (org_tree.branch_b, 75)], start=300
    ):
        born = datetime.date(today.year - age, 2, 1 + number % 27)
        member_create(
            acting_user=staff,
            organization=organization,
            name=f"测试党员{number}",
            gender="male",
            birth_date=born,
            id_number=make_id_number("640104", born, number, "male"),
            category="retired",
            confirmed_on=datetime.date(1985, 1, 1),
            joined_party_on=datetime.date(1970, 7, 1),
        )
    for days, status in ((-10, "held"), (1, "planned")):
        start = timezone.now() + datetime.timedelta(days=days)
        activity_create(
            type="theme_day",
            organization=org_tree.branch_a,
            title=f"主题党日{days}",
            start=start,
            end=start + datetime.timedelta(hours=2),
            acting_user=staff,
            status=status,
        )
    venue = Venue.objects.create(
        name="阅海万家党员活动室",
        address="上海西路 2 号",
        district=org_tree.district,
        community=org_tree.community,
        owner=org_tree.branch_a,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            venue=venue, weekday=weekday, opens=datetime.time(8), closes=datetime.time(21)
        )
    room = Room.objects.create(
        venue=venue, name="党员宣誓室", type="oath", capacity=20, needs_approval=True
    )
    start = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=3), datetime.time(9))
    )
    requester = make_user("secretary_b", role="secretary", organization=org_tree.branch_b)
    booking_create(
        room=room,
        organization=org_tree.branch_b,
        start=start,
        end=start + datetime.timedelta(hours=1),
        purpose="主题党日",
        expected_attendees=10,
        acting_user=requester,
    )
    need_post(
        acting_user=users["liaison"],
        title="为独居老人读报",
        category=CoordinationCategory.values[0],
        wanted_by=today + datetime.timedelta(days=30),
    )
    round_ = assessment.round_create(
        year=today.year,
        title="年度考核",
        rubrics=[make_rubric(today.year, "three_affinity"), make_rubric(today.year, "established")],
        acting_user=staff,
    )
    assessment.round_set_scope(
        round=round_, organizations=[org_tree.branch_a, org_tree.branch_b], acting_user=staff
    )
    assessment.round_assign(
        round=round_,
        organizations=[org_tree.branch_a, org_tree.branch_b],
        supervisors=[users["supervisor"]],
        acting_user=staff,
    )
    assessment.round_open_self_assessment(round=round_, acting_user=staff)
    assessment.round_open_scoring(round=round_, acting_user=staff)
    notify(recipients=list(users.values()), kind="test", title="测试通知", url="/")
    return users


@pytest.mark.parametrize("role", ROLES)
def test_no_link_answers_403_or_404(client, records, role):
    user = records[role]
    client.force_login(user)
    dead, fetched = crawl(client)
    assert fetched > 20, f"only {fetched} pages reached from 首页"
    assert dead == [], f"{user.get_role_display()}: links that answer an error:\n" + (
        "\n".join(f"  {status} {link}  (linked from {source})" for source, link, status in dead)
    )


def test_the_crawler_finds_a_dead_link(client, db):
    """The crawler itself: a page linking to a page the user may not open is reported."""
    from tests.factories import make_user

    user = make_user("crawler_viewer", role="viewer")
    client.force_login(user)
    # The viewer may not add members: the add-member page answers 403.
    dead, _fetched = crawl(client, start=reverse("members:create"))
    assert dead and dead[0][2] == 403
