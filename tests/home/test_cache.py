"""The 首页 cache drops on commit: a change committed in one request shows in the next, a bulk
write (the member import) too, and a rolled-back write leaves the cached figures alone.

The test client's requests run inside the test's transaction, which never commits: the
`django_capture_on_commit_callbacks(execute=True)` block stands for the commit, running what
the request scheduled with `transaction.on_commit` when the block ends.
"""

from __future__ import annotations

import datetime
import io
import itertools

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from home import cache as home_cache
from members.columns import COLUMNS
from members.identity import make_id_number
from members.imports import build_template, import_rows, read_workbook, validate_rows
from tests.factories import make_org

pytestmark = pytest.mark.django_db

_SEQUENCE = itertools.count(700)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def figure(client, name: str):
    """The staff 首页's figure `name`, read from the response context."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    for group in response.context["kpi_groups"]:
        for kpi in group.kpis:
            if kpi.name == name:
                return kpi.value
    raise AssertionError(f"no figure {name!r} on the 首页")


def members_chart_total(client) -> int:
    """All members of normal status in the 首页's age-band chart."""
    charts = client.get(reverse("home")).context["chart_json"]
    return sum(sum(dataset["data"]) for dataset in charts["members"]["datasets"])


def member_form_data(client, **fields) -> dict:
    """The add-member page's form as the browser would post it: its initial values, plus
    `fields`."""
    form = client.get(reverse("members:create")).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value not in (None, "", [], False):
            data[name] = value
    data.update(fields)
    return data


def test_a_member_a_secretary_adds_shows_on_the_staff_home_once_committed(
    client, staff_user, secretary_user, org_tree, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    before = figure(client, "affinity_members")  # branch A is a three-affinity branch
    chart_before = members_chart_total(client)

    client.force_login(secretary_user)
    born = datetime.date(1948, 5, 1)
    data = member_form_data(
        client,
        name="新增党员",
        gender="male",
        birth_date="1948-05-01",
        id_number=make_id_number("640104", born, next(_SEQUENCE), "male"),
        category="retired",
        organization=org_tree.branch_a.pk,
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("members:create"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        # Not committed yet: a request running now still gets the cached figure.
        client.force_login(staff_user)
        assert figure(client, "affinity_members") == before
    assert callbacks, "the write scheduled the invalidation for its commit"

    assert figure(client, "affinity_members") == before + 1
    assert members_chart_total(client) == chart_before + 1


def import_file(user, organization, count: int) -> io.BytesIO:
    """The import template with `count` new members of `organization` under its example."""
    workbook = load_workbook(io.BytesIO(build_template(user)))
    sheet = workbook.worksheets[0]
    example = [cell.value for cell in sheet[2]]
    fields = [column.field for column in COLUMNS]
    for index in range(count):
        number = next(_SEQUENCE)
        born = datetime.date(1945 + index, 2, 1)
        row = dict(zip(fields, example, strict=True))
        row.update(
            name=f"导入党员{number}",
            id_number=make_id_number("640104", born, number, "male"),
            birth_date=born.isoformat(),
            organization=organization.name,
            skills="",
        )
        sheet.append([row[field] for field in fields])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_member_import_raises_the_home_figure_by_the_number_imported(
    client, staff_user, org_tree, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    before = figure(client, "established_members")  # branch B is an established branch
    chart_before = members_chart_total(client)

    columns, data = read_workbook(import_file(staff_user, org_tree.branch_b, 4), name="m.xlsx")
    check = validate_rows(staff_user, columns, data)
    assert check.problems == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created, updated = import_rows(
            staff_user, check, expected=(check.valid_count, check.invalid_count)
        )
        assert figure(client, "established_members") == before  # not committed yet
    assert (created, updated) == (4, 0)
    assert callbacks, "the import announced its bulk write for the commit"

    assert figure(client, "established_members") == before + created
    assert members_chart_total(client) == chart_before + created


class Rollback(Exception):
    pass


def test_an_invalidation_inside_a_rolled_back_transaction_does_not_happen(
    client, staff_user, org_tree, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    before = figure(client, "established_branches")
    generation = home_cache.generation()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        make_org(
            name="审计局离退休干部党支部",
            kind="branch",
            category="established",
            parent=org_tree.committee,
        )
        raise Rollback
    assert callbacks == []
    assert home_cache.generation() == generation
    assert figure(client, "established_branches") == before
