"""Demo venues: the two hubs, the elderly-university branches, 14 demonstration sites and the
pilot communities' venues, with bookings since 2020 — exactly 138 shared uses in all and
about 300,000 visitors a year. Deterministic (context.rng), idempotent, bulk-created.

Owners are the organizations the branches step created (found by kind); a group of venues
whose owners are missing is skipped with a message.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from branches.models import Kind, Organization
from venues.models import (
    Booking,
    BookingSeries,
    BookingStatus,
    Facility,
    OpeningHours,
    Room,
    RoomType,
    Venue,
)

HUBS = ("银川市老年人党群活动服务中心", "银川老年大学党群活动服务中心")
SHARED_USES = 138
BOOKINGS_PER_YEAR = 1700
VISITORS = (100, 250)  # per booking: about 300,000 a year
FACILITIES = {
    "projector": "投影仪",
    "piano": "钢琴",
    "accessible": "无障碍通道",
    "sound": "音响",
    "screen": "LED 大屏",
    "books": "图书",
}
HUB_ROOMS = (
    ("党员宣誓室", RoomType.OATH, 30, ["accessible"], True),
    ("红色展厅", RoomType.EXHIBITION, 80, ["accessible", "screen"], True),
    ("红色书吧", RoomType.READING, 40, ["books", "accessible"], False),
    ("红色影院", RoomType.CINEMA, 150, ["projector", "sound", "accessible"], True),
    ("多功能会议室", RoomType.MEETING, 100, ["projector", "sound", "piano", "accessible"], True),
    ("党群“温馨家园”", RoomType.HOME, 50, ["books"], False),
    ("趣缘型党建工作室", RoomType.STUDIO, 30, ["piano"], False),
)
SLOTS = ((9, 0, 11, 0), (14, 30, 16, 30))
MORNING = (datetime.time(8, 30), datetime.time(12, 0))
AFTERNOON = (datetime.time(14, 0), datetime.time(17, 30))


def _unique(name: str, used: set[str]) -> str:
    """`name`, or with （2）, （3）… when a venue has it already (venue names are unique; at
    --scale N the repeated organizations of the city get their own venues)."""
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}（{number}）"
    used.add(candidate)
    return candidate


def _venue(name, owner, *, hub=False, demo_year=None, address=""):
    venue = Venue.objects.create(
        name=name,
        owner=owner,
        district=owner.district,
        community=owner.community,
        is_hub=hub,
        demonstration_year=demo_year,
        address=address,
    )
    days = range(6) if hub else range(5)
    evening = datetime.time(20, 30) if hub else AFTERNOON[1]
    OpeningHours.objects.bulk_create(
        [OpeningHours(venue=venue, weekday=d, opens=MORNING[0], closes=MORNING[1]) for d in days]
        + [OpeningHours(venue=venue, weekday=d, opens=AFTERNOON[0], closes=evening) for d in days]
    )
    return venue


def _rooms(venue, specs, facilities):
    for name, kind, capacity, equipment, approval in specs:
        room = Room.objects.create(
            venue=venue, name=name, type=kind, capacity=capacity, needs_approval=approval
        )
        room.facilities.set([facilities[code] for code in equipment])


def seed(*, context) -> None:
    out = context.stdout
    if Venue.objects.filter(name=HUBS[0]).exists():
        out.write("venues: demo venues already there")
        return
    facilities = {
        code: Facility.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in FACILITIES.items()
    }
    committee = Organization.objects.filter(kind=Kind.WORKING_COMMITTEE).order_by("pk").first()
    university = (
        Organization.objects.filter(kind=Kind.ELDERLY_UNIVERSITY, parent__isnull=True)
        .order_by("pk")
        .first()
    )
    if committee is None or university is None:
        out.write(
            "venues: skipped (no working committee or elderly university; seed branches first)"
        )
        return
    scale = context.scale
    used = set(Venue.objects.values_list("name", flat=True)) | set(HUBS)
    _rooms(_venue(HUBS[0], committee, hub=True, address="银川市兴庆区"), HUB_ROOMS, facilities)
    _rooms(_venue(HUBS[1], university, hub=True, address="银川市金凤区"), HUB_ROOMS, facilities)

    # At --scale N every copy of the elderly university has its stations.
    universities = Organization.objects.filter(
        kind=Kind.ELDERLY_UNIVERSITY, parent__isnull=True
    ).order_by("pk")[:scale]
    stations = Organization.objects.filter(
        kind=Kind.ELDERLY_UNIVERSITY, parent__in=universities
    ).order_by("parent_id", "name")
    for branch in stations:
        _rooms(
            _venue(_unique(f"{branch.name}党群活动站", used), branch),
            (
                ("多功能教室", RoomType.MEETING, 60, ["projector", "accessible"], False),
                ("书画室", RoomType.STUDIO, 30, [], False),
            ),
            facilities,
        )

    established = list(
        Organization.objects.filter(kind=Kind.BRANCH, category="established").order_by("name")
    )
    preferred = [o for o in established if "中级人民法院" in o.name or "教育局" in o.name]
    preferred_ids = {o.pk for o in preferred}
    sites = (preferred + [o for o in established if o.pk not in preferred_ids])[: 14 * scale]
    if len(sites) < 14:
        out.write(f"venues: only {len(sites)} established branches for the 14 demonstration sites")
    for index, owner in enumerate(sites):
        _rooms(
            _venue(_unique(f"{owner.name}党建阵地", used), owner, demo_year=2020 + index % 3),
            (
                ("党员活动室", RoomType.MEETING, 30, ["projector"], False),
                ("红色书吧", RoomType.READING, 20, ["books"], False),
            ),
            facilities,
        )

    communities = Organization.objects.filter(
        kind=Kind.COMMUNITY_ORG, pilot_year__isnull=False
    ).select_related("community")
    for owner in communities.order_by("name"):
        _rooms(
            _venue(_unique(f"{owner.community or owner.name}党群服务中心", used), owner),
            (
                ("多功能会议室", RoomType.MEETING, 60, ["projector", "sound", "accessible"], False),
                ("党群“温馨家园”", RoomType.HOME, 40, ["books"], False),
            ),
            facilities,
        )
    _bookings(context)


def _bookings(context) -> None:
    rng = context.rng
    rooms = list(Room.objects.select_related("venue").order_by("pk"))
    hub_rooms = [r for r in rooms if r.venue.is_hub]
    guests = list(
        Organization.objects.filter(status="active")
        .exclude(kind=Kind.WORKING_COMMITTEE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    years = list(range(2020, today.year + 1))
    taken: set[tuple[int, datetime.date, int]] = set()
    bookings: list[Booking] = []
    written = 0

    def flush(force=False):
        # Written in chunks as they are drawn, so --scale 50 (~600,000 bookings) stays small.
        nonlocal bookings, written
        if bookings and (force or len(bookings) >= 5000):
            Booking.objects.bulk_create(bookings, batch_size=2000)
            written += len(bookings)
            bookings = []

    def slot(room, day, index):
        h1, m1, h2, m2 = SLOTS[index]
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(h1, m1)))
        end = timezone.make_aware(datetime.datetime.combine(day, datetime.time(h2, m2)))
        return start, end

    def free_slot(room, first, last):
        while True:
            day = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
            if day.weekday() >= (6 if room.venue.is_hub else 5):
                continue
            index = rng.randrange(len(SLOTS))
            if (room.pk, day, index) not in taken:
                taken.add((room.pk, day, index))
                return slot(room, day, index)

    # Shared uses: 138 (× scale) spread over the years, by organizations other than the owner.
    yesterday = today - datetime.timedelta(days=1)
    for number in range(SHARED_USES * context.scale):
        year = years[number % len(years)]
        room = rng.choice(rooms)
        start, end = free_slot(
            room, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), yesterday)
        )
        # The first 200 organizations other than the owner (only 201 need looking at).
        guest = rng.choice([pk for pk in guests[:201] if pk != room.venue.owner_id][:200])
        bookings.append(
            Booking(
                room=room,
                organization_id=guest,
                purpose=rng.choice(("联合主题党日", "共建联学", "红歌会排练", "书画交流")),
                start=start,
                end=end,
                expected_attendees=min(room.capacity, 30),
                status=BookingStatus.APPROVED,
                visitors=rng.randint(*VISITORS),
            )
        )
        flush()
    # The owners' own use, mostly at the hubs: about 300,000 visitors a year. At --scale N the
    # hubs keep about the same load (they have only so many free slots) and the other venues,
    # N times as many, take the rest.
    at_hub = 0.7 / context.scale
    for year in years:
        last = min(datetime.date(year, 12, 31), yesterday)
        share = ((last - datetime.date(year, 1, 1)).days + 1) / 365
        for _ in range(int(BOOKINGS_PER_YEAR * share * context.scale)):
            room = rng.choice(hub_rooms) if rng.random() < at_hub else rng.choice(rooms)
            start, end = free_slot(room, datetime.date(year, 1, 1), last)
            bookings.append(
                Booking(
                    room=room,
                    organization_id=room.venue.owner_id,
                    purpose=rng.choice(
                        ("主题党日", "党课", "宣讲", "合唱排练", "书画班", "观影", "支部党员大会")
                    ),
                    start=start,
                    end=end,
                    expected_attendees=min(room.capacity, 40),
                    status=BookingStatus.APPROVED,
                    visitors=rng.randint(*VISITORS),
                )
            )
            flush()
    flush(force=True)

    # Ahead: a weekly choir at the first hub and a few requests waiting for approval.
    meeting = next(r for r in hub_rooms if r.type == RoomType.MEETING)
    tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    first = timezone.make_aware(datetime.datetime.combine(tuesday, datetime.time(14, 30)))
    series = BookingSeries.objects.create(
        room=meeting,
        organization=meeting.venue.owner,
        rule="weekly",
        first_start=first,
        count=8,
        purpose="银霞满天合唱团排练",
    )
    Booking.objects.bulk_create(
        Booking(
            room=meeting,
            organization=meeting.venue.owner,
            purpose=series.purpose,
            start=first + datetime.timedelta(weeks=week),
            end=first + datetime.timedelta(weeks=week, hours=2),
            expected_attendees=60,
            status=BookingStatus.APPROVED,
            series=series,
        )
        for week in range(8)
    )
    requests = []
    for offset, room in enumerate(r for r in hub_rooms if r.needs_approval):
        day = tuesday + datetime.timedelta(days=1 + offset % 3)
        start, end = slot(room, day, 0)
        requests.append(
            Booking(
                room=room,
                organization=room.venue.owner,
                purpose="“我是党员我骄傲”主题活动",
                start=start,
                end=end,
                expected_attendees=min(room.capacity, 30),
                status=BookingStatus.REQUESTED,
            )
        )
    Booking.objects.bulk_create(requests)
    context.stdout.write(
        f"venues: {Venue.objects.count()} venues, {Room.objects.count()} rooms, "
        f"{Booking.objects.count()} bookings ({SHARED_USES * context.scale} shared uses)"
    )
