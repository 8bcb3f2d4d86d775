"""get_or_404: a row of a user-scoped queryset or a 404 — and nothing else turned into one."""

import pytest
from django.core.exceptions import FieldError
from django.http import Http404

from branches.models import Organization
from branches.selectors import get_organization_for
from core.selectors import get_or_404

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pk", ["abc", None, [1], "", "1.5"])
def test_a_pk_that_is_not_a_number_is_a_404(org_tree, pk):
    with pytest.raises(Http404):
        get_or_404(Organization.objects.all(), pk)


def test_another_organizations_object_is_a_404_and_ones_own_is_found(
    org_tree, secretary_user, other_secretary
):
    assert get_organization_for(secretary_user, org_tree.branch_a.pk) == org_tree.branch_a
    with pytest.raises(Http404):
        get_organization_for(other_secretary, org_tree.branch_a.pk)


def test_an_error_in_building_the_queryset_is_not_hidden_as_a_404(org_tree):
    def broken_scope():
        raise TypeError("a bug in a selector")

    with pytest.raises(TypeError):
        get_or_404(broken_scope(), org_tree.branch_a.pk)
    with pytest.raises(FieldError):  # a wrong lookup is a bug, not a 404 either
        get_or_404(Organization.objects.all(), org_tree.branch_a.pk, no_such_field__x=1)
