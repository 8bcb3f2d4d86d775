"""No double booking under concurrent requests: real threads, each with its own connection,
through the real booking view. PostgreSQL only (its exclusion constraint is the guarantee)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tests.venues.conftest import days_ahead
from venues.models import Booking

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


def _run_together(requests):
    """Post every (user, data) at once; returns the responses' (status, text)."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def worker(index, user, url, data):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            response = client.post(url, data)
            results[index] = (response.status_code, response.content.decode())
        except Exception as exc:  # recorded, so the assertion shows it
            results[index] = (0, repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def bookers(venue_setup, make_user, org_tree):
    from tests.factories import make_org

    users = []
    for index in range(20):
        org = make_org(
            name=f"并发测试党支部{index}",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        users.append(make_user(f"booker{index}", role="secretary", organization=org))
    return users


def _data(start, end):
    return {
        "purpose": "并发预约",
        "date": days_ahead(6).isoformat(),
        "start_time": start,
        "end_time": end,
        "expected_attendees": 10,
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)
@pytest.mark.parametrize(
    "slots",
    [
        [("09:00", "11:00")] * 20,
        # every slot differs, and all share 10:35–10:40, so only one can win
        [
            (
                f"{9 + (5 * i) // 60:02d}:{(5 * i) % 60:02d}",
                f"{10 + (40 + 4 * i) // 60:02d}:{(40 + 4 * i) % 60:02d}",
            )
            for i in range(20)
        ],
    ],
    ids=["same-slot", "partly-overlapping"],
)
def test_twenty_simultaneous_requests_give_one_booking(venue_setup, bookers, slots):
    url = f"/venues/rooms/{venue_setup.meeting.pk}/book/"
    results = _run_together(
        [(user, url, _data(start, end)) for user, (start, end) in zip(bookers, slots, strict=True)]
    )
    assert all(status in (200, 302) for status, _text in results), results
    assert Booking.objects.filter(room=venue_setup.meeting).count() == 1
    winners = [r for r in results if r[0] == 302]
    refused = [text for status, text in results if status == 200]
    assert len(winners) == 1
    assert len(refused) == 19
    winner = Booking.objects.get()
    for text in refused:
        assert "时间冲突" in text
        assert winner.organization.name in text
