"""core.widgets: the search picker resolves typed text server-side and never lists rows."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from branches.models import Organization
from core.widgets import SearchChoiceField, search_label
from tests.factories import make_org

pytestmark = pytest.mark.django_db


class PickForm(forms.Form):
    organization = SearchChoiceField(
        label="organization", queryset=Organization.objects.all(), search_url="branches:search"
    )


def test_exact_name_resolves(org_tree):
    form = PickForm({"organization": "阅海万家地缘党支部"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organization"] == org_tree.branch_a


def test_label_with_number_and_bare_number_resolve(org_tree):
    assert PickForm({"organization": search_label(org_tree.branch_b)}).is_valid()
    form = PickForm({"organization": str(org_tree.branch_b.pk)})
    assert form.is_valid()
    assert form.cleaned_data["organization"] == org_tree.branch_b


def test_ambiguous_name_is_refused_in_chinese(org_tree):
    make_org(
        name="同名党小组",
        kind="party_group",
        category="three_affinity",
        affinity="interest",
        parent=org_tree.branch_a,
    )
    make_org(
        name="同名党小组", kind="party_group", category="established", parent=org_tree.branch_b
    )
    with translation.override("zh-hans"):
        form = PickForm({"organization": "同名党小组"})
        assert not form.is_valid()
        assert "不止一个" in form.errors["organization"][0]


def test_unknown_name_is_refused_in_chinese(org_tree):
    with translation.override("zh-hans"):
        form = PickForm({"organization": "没有这个组织"})
        assert not form.is_valid()
        assert "找不到“没有这个组织”" in form.errors["organization"][0]


def test_outside_the_queryset_is_unknown(org_tree):
    field = SearchChoiceField(
        queryset=Organization.objects.subtree(org_tree.branch_a), search_url="branches:search"
    )
    with pytest.raises(ValidationError):
        field.clean(org_tree.branch_b.name)
    with pytest.raises(ValidationError):
        field.clean(str(org_tree.branch_b.pk))


def test_widget_is_an_accessible_combobox_showing_the_chosen_row(org_tree):
    form = PickForm(initial={"organization": org_tree.branch_a.pk})
    html = str(form["organization"])
    assert 'role="combobox"' in html
    assert 'aria-autocomplete="list"' in html
    assert 'role="listbox"' in html
    assert f'data-search-url="{reverse("branches:search")}"' in html
    assert search_label(org_tree.branch_a) in html
    assert "<option" not in html


def _options_on_activity_list(client):
    return client.get(reverse("activities:list")).content.decode().count("<option")


def test_picker_pages_do_not_grow_an_option_per_organization(client, org_tree, staff_user):
    client.force_login(staff_user)
    pages = [reverse("activities:list"), reverse("members:list"), reverse("activities:compliance")]
    before = [client.get(url).content.decode().count("<option") for url in pages]
    for n in range(30):
        make_org(
            name=f"测试党支部{n}", kind="branch", category="established", parent=org_tree.committee
        )
    after = [client.get(url).content.decode().count("<option") for url in pages]
    assert Organization.objects.count() >= 35
    assert before == after


def test_quick_select_renders_what_django_select_renders():
    """QuickSelect builds its HTML by hand for speed: the same document as Django's Select
    (escaping of values, labels and group labels; safe labels kept; the chosen one selected)."""
    from django.test.html import parse_html
    from django.utils.safestring import mark_safe

    from core.widgets import QuickSelect

    choices = [
        ("", "---------"),
        ("金凤区 <西>", [(1, 'A & "B"'), (2, "<script>x</script>"), ("3'", mark_safe("<b>C</b>"))]),
        (4, "plain"),
    ]
    for value in (None, 2, "3'", 4):
        quick, plain = (
            QuickSelect(attrs={"class": "form-select"}),
            forms.Select(attrs={"class": "form-select"}),
        )
        quick.choices = plain.choices = choices
        assert parse_html(quick.render("community", value)) == parse_html(
            plain.render("community", value)
        )
    rendered = QuickSelect(choices=choices).render("community", 2)
    assert "&lt;script&gt;" in rendered and "<script>" not in rendered
    assert '<option value="2" selected>' in rendered
