"""Mediation studios are set up and kept by bureau staff on their own pages; the host is picked
by search, and the rota and case pickers offer only members with the mediation or law skill,
by search (issue 19, build item 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.models import MediationStudio, RotaShift
from alliance.services import CoordinationError, studio_update
from tests.alliance.helpers import build_world, days, make_member
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree, liaison_user):
    return build_world(org_tree, liaison_user)


def _create(client, world, **overrides):
    data = {
        "name": "老王说和室",
        "community": world.community.pk,
        "host_organization": world.legal_branch.name,  # typed, as without JavaScript
        "address": "阅海万家社区服务站二楼",
    }
    data.update(overrides)
    return client.post(reverse("alliance:studio_create"), data)


def test_staff_create_a_studio_naming_the_host_by_name_or_number(client, world, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("alliance:studio_list")).content.decode()
    assert reverse("alliance:studio_create") in page
    response = _create(client, world)
    studio = MediationStudio.objects.get()
    assert response.status_code == 302 and response["Location"] == studio.get_absolute_url()
    assert (studio.host_organization, studio.community) == (world.legal_branch, world.community)
    second = _create(
        client,
        world,
        name="和事佬调解室",
        host_organization=f"{world.legal_branch.name} [{world.legal_branch.pk}]",
    )
    assert second.status_code == 302
    assert MediationStudio.objects.count() == 2


def test_an_unknown_host_or_a_repeated_name_is_refused_in_chinese(client, world, staff_user):
    client.force_login(staff_user)
    response = _create(client, world, host_organization="不存在的支部")
    assert response.status_code == 200
    assert "不存在的支部" in response.context["form"].errors["host_organization"][0]
    assert _create(client, world).status_code == 302
    again = _create(client, world)
    assert again.status_code == 200 and MediationStudio.objects.count() == 1


def test_staff_edit_a_studio_and_take_it_out_of_service(client, world, staff_user):
    client.force_login(staff_user)
    _create(client, world)
    studio = MediationStudio.objects.get()
    detail = client.get(studio.get_absolute_url()).content.decode()
    assert reverse("alliance:studio_edit", args=[studio.pk]) in detail
    response = client.post(
        reverse("alliance:studio_edit", args=[studio.pk]),
        {
            "name": "老王说和室（新址）",
            "community": world.community.pk,
            "host_organization": str(world.legal_branch.pk),
            "address": "",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    studio.refresh_from_db()
    assert (studio.name, studio.is_active, studio.address) == ("老王说和室（新址）", False, "")


@pytest.mark.parametrize("role", ["secretary", "liaison", "supervisor", "viewer"])
def test_only_staff_set_up_or_edit_studios(client, world, staff_user, role):
    client.force_login(staff_user)
    _create(client, world)
    studio = MediationStudio.objects.get()
    user = make_user(f"someone_{role}", role=role, organization=world.legal_branch)
    client.force_login(user)
    assert client.get(reverse("alliance:studio_create")).status_code == 403
    assert client.get(reverse("alliance:studio_edit", args=[studio.pk])).status_code == 403
    assert _create(client, world, name="别人的说和室").status_code == 403
    with pytest.raises(CoordinationError):
        studio_update(
            studio=studio,
            acting_user=user,
            community=world.community,
            name="改名",
            host_organization=world.legal_branch,
        )
    assert MediationStudio.objects.get().name == "老王说和室"


def test_the_rota_is_picked_by_search_among_members_with_the_mediation_skill(
    client, world, staff_user
):
    client.force_login(staff_user)
    _create(client, world)
    studio = MediationStudio.objects.get()
    mediator = make_member(world.legal_branch, "王法明", skills=["调解"])
    lawyer = make_member(world.legal_branch, "李律", skills=["法律"])
    plain = make_member(world.legal_branch, "王普通", skills=["书法"])
    found = client.get(reverse("alliance:mediator_search"), {"q": "王"}).json()["results"]
    assert [r["id"] for r in found] == [mediator.pk]
    found = client.get(reverse("alliance:mediator_search"), {"q": "李"}).json()["results"]
    assert [r["id"] for r in found] == [lawyer.pk]
    page = client.get(reverse("alliance:rota_shift_add", args=[studio.pk])).content.decode()
    assert 'role="combobox"' in page and reverse("alliance:mediator_search") in page
    assert "<option" not in page.split('name="member"')[1].split("</div>")[0]
    url = reverse("alliance:rota_shift_add", args=[studio.pk])
    refused = client.post(url, {"member": f"王普通 [{plain.pk}]", "date": days(2).isoformat()})
    assert refused.status_code == 200 and "member" in refused.context["form"].errors
    done = client.post(url, {"member": f"王法明 [{mediator.pk}]", "date": days(2).isoformat()})
    assert done.status_code == 302
    assert list(RotaShift.objects.values_list("member", flat=True)) == [mediator.pk]


def test_the_mediator_search_is_scoped_to_the_members_the_user_may_read(
    client, world, staff_user, other_secretary
):
    make_member(world.legal_branch, "王法明", skills=["调解"])
    client.force_login(other_secretary)  # branch B's secretary: not the legal branch's
    found = client.get(reverse("alliance:mediator_search"), {"q": "王"}).json()["results"]
    assert found == []
