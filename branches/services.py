"""Writes of the organization tree and committees.

Every function is keyword-only and atomic, validates with full_clean() before saving and
raises django.core.exceptions.ValidationError (a dict naming the field) on bad input, so a form
can show the message next to the field and nothing is saved.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from branches.models import PATH_STEP, CommitteePosition, CommitteeTerm, Kind, Organization, Status
from branches.selectors import MEMBER_NORMAL
from branches.signals import organization_dissolved
from core.errors import ServiceError
from core.history import save_with_action, update_with_action

TERM_YEARS = 3
COMMUNITY_TERM_YEARS = 5
MAX_EXTENSION_DAYS = 366  # "up to one year", leap years included


class OrganizationError(ServiceError):
    """A write on the organization tree that the rules do not allow."""


def _path_for(organization: Organization) -> str:
    parent_path = organization.parent.path if organization.parent_id else ""
    return f"{parent_path}{organization.pk:0{PATH_STEP}d}/"


def _check_name_unique(organization: Organization) -> None:
    """The database constraints say the same; this gives the form a message naming the field."""
    siblings = Organization.objects.filter(name=organization.name, parent=organization.parent_id)
    if organization.pk:
        siblings = siblings.exclude(pk=organization.pk)
    if siblings.exists():
        raise ValidationError(
            {"name": _("An organization with this name already exists under the same parent.")}
        )


def _check_no_cycle(organization: Organization) -> None:
    parent = organization.parent if organization.parent_id else None
    if organization.pk and parent is not None:
        parent.refresh_from_db(fields=["path"])
        if parent.pk == organization.pk or parent.path.startswith(organization.path):
            raise ValidationError(
                {
                    "parent": _(
                        "An organization cannot sit under itself or under one of its own parts."
                    )
                }
            )


@transaction.atomic
def organization_create(*, acting_user, **fields: Any) -> Organization:
    organization = Organization(**fields)
    organization.full_clean(validate_constraints=False)
    _check_name_unique(organization)
    save_with_action(organization, "branches.organization.create")
    organization.path = _path_for(organization)
    organization.depth = organization.path.count("/") - 1
    save_with_action(organization, "branches.organization.place", update_fields=["path", "depth"])
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, acting_user, **fields: Any) -> Organization:
    """Change fields; a new parent moves the whole subtree (paths and depths re-written)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    old_path, old_depth = organization.path, organization.depth
    for name, value in fields.items():
        setattr(organization, name, value)
    _check_no_cycle(organization)
    organization.full_clean(validate_constraints=False)
    _check_name_unique(organization)
    new_path = _path_for(organization)
    if new_path != old_path:
        new_depth = new_path.count("/") - 1
        # One UPDATE for the descendants: swap the old prefix for the new one; then one history
        # row each, written in bulk, so the move is in every descendant's history.
        descendants = Organization.objects.filter(path__startswith=old_path).exclude(
            pk=organization.pk
        )
        descendant_ids = list(descendants.values_list("pk", flat=True))
        descendants.update(
            path=Concat(
                Value(new_path),
                Substr("path", len(old_path) + 1, Length("path")),
                output_field=CharField(),
            ),
            depth=F("depth") + (new_depth - old_depth),
        )
        Organization.history.bulk_history_create(
            list(Organization.objects.filter(pk__in=descendant_ids)),
            update=True,
            default_user=acting_user,
            default_change_reason="branches.organization.move_with_parent",
        )
        organization.path, organization.depth = new_path, new_depth
    save_with_action(organization, "branches.organization.update")
    return organization


@transaction.atomic
def organization_dissolve(
    *, organization: Organization, acting_user, dissolved_on: datetime.date
) -> Organization:
    """Dissolve (never delete): only when no active sub-organization and no member remain."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.status == Status.DISSOLVED:
        raise ValidationError({"dissolved_on": _("This organization is already dissolved.")})
    if organization.children.filter(status=Status.ACTIVE).exists():
        raise ValidationError(
            {"dissolved_on": _("Dissolve or move its active sub-organizations first.")}
        )

    if organization.members.filter(status=MEMBER_NORMAL).exists():
        raise ValidationError(
            {"dissolved_on": _("Transfer its members to another organization first.")}
        )
    if organization.founded_on and dissolved_on < organization.founded_on:
        raise ValidationError(
            {"dissolved_on": _("An organization cannot be dissolved before it was founded.")}
        )
    organization.status = Status.DISSOLVED
    organization.dissolved_on = dissolved_on
    organization.full_clean(validate_constraints=False)
    save_with_action(organization, "branches.organization.dissolve")
    organization_dissolved.send(
        sender=Organization,
        organization=organization,
        dissolved_on=dissolved_on,
        acting_user=acting_user,
    )
    return organization


# --- Committees ---------------------------------------------------------------------------


def term_years_for(organization: Organization) -> int:
    return COMMUNITY_TERM_YEARS if organization.kind == Kind.COMMUNITY_ORG else TERM_YEARS


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _validate_term(term: CommitteeTerm) -> None:
    errors: dict[str, str] = {}
    years = term_years_for(term.organization)
    if term.started_on and term.ends_on:
        if term.ends_on <= term.started_on:
            errors["ends_on"] = _("The term must end after it starts.")
        elif term.ends_on > _add_years(term.started_on, years):
            errors["ends_on"] = _("A term lasts at most %(years)s years.") % {"years": years}
    if term.extended_until:
        if term.ends_on and term.extended_until <= term.ends_on:
            errors["extended_until"] = _("An extension must end after the term ends.")
        elif term.ends_on and (term.extended_until - term.ends_on).days > MAX_EXTENSION_DAYS:
            errors["extended_until"] = _("An extension may last at most one year.")
        if not term.extension_reason.strip():
            errors["extension_reason"] = _("Give the reason for the approved extension.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def committee_term_start(
    *,
    organization: Organization,
    acting_user,
    started_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> CommitteeTerm:
    """A new term (after an election); the previous current term ends being current."""
    if ends_on is None:
        ends_on = _add_years(started_on, term_years_for(organization))
    term = CommitteeTerm(
        organization=organization, started_on=started_on, ends_on=ends_on, is_current=True
    )
    _validate_term(term)
    update_with_action(
        CommitteeTerm.objects.filter(organization=organization, is_current=True),
        "branches.committee_term.end_with_new_term",
        is_current=False,
    )
    term.full_clean()
    save_with_action(term, "branches.committee_term.start")
    return term


@transaction.atomic
def committee_term_update(*, term: CommitteeTerm, acting_user, **fields: Any) -> CommitteeTerm:
    """Correct dates or record an approved extension (extended_until + extension_reason)."""
    term = CommitteeTerm.objects.select_for_update().select_related("organization").get(pk=term.pk)
    for name, value in fields.items():
        setattr(term, name, value)
    _validate_term(term)
    term.full_clean()
    save_with_action(term, "branches.committee_term.update")
    return term


@transaction.atomic
def committee_position_add(
    *, term: CommitteeTerm, acting_user, position: str, person_name: str = "", member=None
) -> CommitteePosition:
    if member is not None and not person_name:
        person_name = member.name
    if member is not None and member.organization_id != term.organization_id:
        raise ValidationError(
            {"member": _("The member's organization relation is not in this organization.")}
        )
    seat = CommitteePosition(term=term, position=position, person_name=person_name, member=member)
    seat.full_clean()
    if term.positions.count() >= 7:
        raise ValidationError({"position": _("A committee has at most 7 members.")})
    seat.save()
    return seat


@transaction.atomic
def committee_position_remove(*, position: CommitteePosition, acting_user) -> None:
    """A seat is part of the current term only; past terms keep theirs (history)."""
    if not position.term.is_current:
        raise ValidationError({"position": _("Seats of a past term cannot be changed.")})
    position.delete()
