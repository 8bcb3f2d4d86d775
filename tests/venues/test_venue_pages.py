"""Venue create/edit pages: the venue and its weekly opening hours, saved together or not at all;
who may use them; Chinese errors for hours that close before they open or overlap."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from branches.models import District
from venues.models import OpeningHours, Venue
from venues.services import BookingError, HoursSpan, venue_save

pytestmark = pytest.mark.django_db


def _post_data(owner, district=None, community=None, hours=(), name="银川市老年大学金凤分校"):
    data = {
        "name": name,
        "address": "北京中路 100 号",
        "district": district.pk if district else "",
        "community": community.pk if community else "",
        "owner": owner.pk,
        "demonstration_year": "2023",
        "hours-TOTAL_FORMS": str(len(hours) + 1),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, opens, closes) in enumerate(hours):
        data[f"hours-{i}-weekday"] = str(weekday)
        data[f"hours-{i}-opens"] = opens
        data[f"hours-{i}-closes"] = closes
    # one empty extra line, as the browser sends it
    data[f"hours-{len(hours)}-weekday"] = ""
    data[f"hours-{len(hours)}-opens"] = ""
    data[f"hours-{len(hours)}-closes"] = ""
    return data


def test_staff_creates_a_venue_with_opening_hours(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/venues/new/",
        _post_data(
            org_tree.branch_a,
            org_tree.district,
            org_tree.community,
            hours=[(0, "08:30", "12:00"), (0, "14:00", "17:30"), (5, "09:00", "11:00")],
        ),
    )
    venue = Venue.objects.get(name="银川市老年大学金凤分校")
    assert response.status_code == 302
    assert response["Location"] == f"/venues/{venue.pk}/"
    assert venue.owner == org_tree.branch_a
    assert venue.demonstration_year == 2023
    hours = [
        (h.weekday, h.opens, h.closes) for h in venue.opening_hours.order_by("weekday", "opens")
    ]
    assert hours == [
        (0, datetime.time(8, 30), datetime.time(12)),
        (0, datetime.time(14), datetime.time(17, 30)),
        (5, datetime.time(9), datetime.time(11)),
    ]
    assert venue.history.get().history_user == staff_user
    page = client.get(f"/venues/{venue.pk}/").content.decode()
    assert "星期一 08:30–12:00" in page
    assert "修改阵地和开放时间" in page


def test_closing_before_opening_is_refused_in_chinese(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/venues/new/", _post_data(org_tree.branch_a, hours=[(1, "17:00", "09:00")])
    )
    assert response.status_code == 200
    assert "关门时间必须晚于开门时间" in response.content.decode()
    assert not Venue.objects.filter(name="银川市老年大学金凤分校").exists()
    assert OpeningHours.objects.count() == 0


def test_overlapping_hours_on_one_weekday_are_refused(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/venues/new/",
        _post_data(org_tree.branch_a, hours=[(2, "08:00", "12:00"), (2, "11:00", "14:00")]),
    )
    assert response.status_code == 200
    assert "星期三：开放时间 08:00–12:00 与 11:00–14:00 重叠" in response.content.decode()
    assert not Venue.objects.filter(name="银川市老年大学金凤分校").exists()


def test_back_to_back_hours_and_different_days_are_fine(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/venues/new/",
        _post_data(
            org_tree.branch_a,
            hours=[(2, "08:00", "12:00"), (2, "12:00", "14:00"), (3, "11:00", "14:00")],
        ),
    )
    assert response.status_code == 302
    assert Venue.objects.get(name="银川市老年大学金凤分校").opening_hours.count() == 3


def test_secretary_can_only_own_a_venue_in_their_subtree(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    refused = client.post("/venues/new/", _post_data(org_tree.branch_b, hours=[]))
    assert refused.status_code == 200
    assert "owner" in refused.context["form"].errors
    assert not Venue.objects.filter(name="银川市老年大学金凤分校").exists()
    accepted = client.post("/venues/new/", _post_data(org_tree.group_a1, hours=[]))
    assert accepted.status_code == 302
    assert Venue.objects.get(name="银川市老年大学金凤分校").owner == org_tree.group_a1


def test_community_outside_district_is_refused(client, org_tree, staff_user):

    other_district = District.objects.exclude(pk=org_tree.district.pk).first()
    client.force_login(staff_user)
    response = client.post(
        "/venues/new/", _post_data(org_tree.branch_a, other_district, org_tree.community)
    )
    assert response.status_code == 200
    assert "社区" in response.content.decode()
    assert not Venue.objects.filter(name="银川市老年大学金凤分校").exists()


def _edit_data(venue, hours, **changes):
    data = _post_data(venue.owner, venue.district, venue.community, hours=hours, name=venue.name)
    data.update(changes)
    return data


def test_owner_edits_venue_and_replaces_hours(client, venue_setup):
    venue = venue_setup.venue
    client.force_login(venue_setup.owner_secretary)
    form_page = client.get(f"/venues/{venue.pk}/edit/").content.decode()
    assert "08:00" in form_page  # the current hours are offered for editing
    response = client.post(
        f"/venues/{venue.pk}/edit/",
        _edit_data(venue, [(0, "09:00", "11:30")], address="上海西路 2 号"),
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.address == "上海西路 2 号"
    assert [(h.weekday, h.opens) for h in venue.opening_hours.all()] == [(0, datetime.time(9))]
    latest = venue.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == venue_setup.owner_secretary
    assert latest.address == "上海西路 2 号"


def test_bad_hours_on_edit_change_nothing(client, venue_setup, staff_user):
    venue = venue_setup.venue
    before = list(venue.opening_hours.values_list("weekday", "opens", "closes"))
    client.force_login(staff_user)
    response = client.post(
        f"/venues/{venue.pk}/edit/",
        _edit_data(venue, [(4, "08:00", "12:00"), (4, "09:00", "10:00")], address="改了也不该保存"),
    )
    assert response.status_code == 200
    assert "重叠" in response.content.decode()
    venue.refresh_from_db()
    assert venue.address == "上海西路 1 号"
    assert list(venue.opening_hours.values_list("weekday", "opens", "closes")) == before


def test_service_refuses_overlap_without_the_form(venue_setup, staff_user):
    venue = venue_setup.venue
    venue.address = "不该保存"
    with pytest.raises(BookingError) as caught:
        venue_save(
            venue=venue,
            acting_user=staff_user,
            opening_hours=[
                HoursSpan(6, datetime.time(8), datetime.time(12)),
                HoursSpan(6, datetime.time(11), datetime.time(13)),
            ],
        )
    assert "overlap" in caught.value.message or "重叠" in caught.value.message
    venue.refresh_from_db()
    assert venue.address == "上海西路 1 号"
    assert venue.opening_hours.count() == 7


def test_new_venue_link_only_for_those_who_may_add(client, staff_user, viewer_user, org_tree):
    client.force_login(staff_user)
    assert "/venues/new/" in client.get("/venues/").content.decode()
    client.force_login(viewer_user)
    assert "/venues/new/" not in client.get("/venues/").content.decode()


def test_a_second_room_of_the_same_name_is_refused_in_chinese(client, venue_setup, staff_user):
    """The form does not hold the venue, so the unique name is the service's check: its
    refusal lands on the name field, not a server error, and no room is added."""
    client.force_login(staff_user)
    venue = venue_setup.venue
    before = venue.rooms.count()
    response = client.post(
        reverse("venues:room_add", args=[venue.pk]),
        {"name": "多功能会议室", "type": "meeting", "capacity": 30, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert venue.rooms.count() == before
