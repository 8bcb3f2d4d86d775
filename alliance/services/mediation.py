"""The mediation studio (说和室): setting up a studio, its rota and its case log."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import MEDIATOR_SKILLS, MediationCase, MediationStudio, RotaShift
from alliance.services.base import CoordinationError, _full_clean, _require
from branches.models import Organization
from core.history import save_with_action

# --- Mediation studio -----------------------------------------------------------------------


@transaction.atomic
def studio_create(
    *, acting_user, community, name: str, host_organization: Organization, address: str = ""
) -> MediationStudio:
    _require(
        acting_user.is_bureau_staff,
        _("Only bureau staff set up mediation studios."),
    )
    studio = MediationStudio(
        community=community, name=name.strip(), host_organization=host_organization, address=address
    )
    _full_clean(studio)
    save_with_action(studio, "alliance.mediationstudio.create")
    return studio


@transaction.atomic
def studio_update(
    *,
    studio: MediationStudio,
    acting_user,
    community,
    name: str,
    host_organization: Organization,
    address: str = "",
    is_active: bool = True,
) -> MediationStudio:
    """Bureau staff change a studio's name, community, host, address or whether it serves."""
    _require(
        acting_user.is_bureau_staff,
        _("Only bureau staff set up mediation studios."),
    )
    studio = MediationStudio.objects.select_for_update().get(pk=studio.pk)
    studio.community = community
    studio.name = name.strip()
    studio.host_organization = host_organization
    studio.address = address
    studio.is_active = is_active
    _full_clean(studio)
    save_with_action(studio, "alliance.mediationstudio.update")
    return studio


@transaction.atomic
def rota_shift_add(
    *, studio: MediationStudio, member, date: datetime.date, acting_user
) -> RotaShift:
    _require(
        acting_user.has_perm("alliance.change_mediationstudio", studio),
        _("You may not keep this studio's rota."),
    )
    _require(
        member.skills.filter(name__in=MEDIATOR_SKILLS).exists(),
        _("%(name)s has neither the mediation nor the law skill and cannot be on the rota.")
        % {"name": member.name},
        field="member",
    )
    shift = RotaShift(studio=studio, member=member, date=date)
    _full_clean(shift, validate_constraints=False)
    try:
        with transaction.atomic():
            save_with_action(shift, "alliance.rotashift.create")
    except IntegrityError as exc:
        raise CoordinationError(
            _("This mediator is already on the rota that day."), field="member"
        ) from exc
    return shift


@transaction.atomic
def mediation_case_record(
    *,
    studio: MediationStudio,
    acting_user,
    date: datetime.date,
    kind: str,
    parties: str,
    summary: str,
    outcome: str,
    follow_up_on: datetime.date | None = None,
    mediators: Sequence = (),
) -> MediationCase:
    _require(
        acting_user.has_perm("alliance.change_mediationstudio", studio),
        _("You may not keep this studio's case log."),
    )
    _require(date <= timezone.localdate(), _("A case cannot be dated in the future."))
    for member in mediators:
        _require(
            member.skills.filter(name__in=MEDIATOR_SKILLS).exists(),
            _("%(name)s has neither the mediation nor the law skill.") % {"name": member.name},
        )
    case = MediationCase(
        studio=studio,
        date=date,
        kind=kind,
        parties=parties.strip(),
        summary=summary.strip(),
        outcome=outcome,
        follow_up_on=follow_up_on,
        recorded_by=acting_user,
    )
    _full_clean(case)
    save_with_action(case, "alliance.mediationcase.record")
    case.mediators.set(list(mediators))
    return case
