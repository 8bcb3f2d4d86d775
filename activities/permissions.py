"""Who may do what with activities (django-rules; autodiscovered)."""

from __future__ import annotations

import rules

from core.permissions import (
    is_bureau_staff,
    is_secretary,
    is_signed_in,
    organization_in_scope,
)


def activity_hosted_in_scope(user, activity) -> bool:
    """One of the activity's hosts (the lead or a co-host that accepted) is the user's
    organization or below it. An organization only asked to co-host changes nothing."""
    if activity is None or not getattr(user, "is_secretary", False):
        return False
    return any(
        link.state == "accepted" and organization_in_scope(user, link.organization)
        for link in activity.host_links.all()
    )


def cohost_request_answerable(user, link) -> bool:
    """The user is a secretary of the organization asked to co-host (or above it)."""
    return bool(
        link is not None
        and getattr(user, "is_secretary", False)
        and organization_in_scope(user, link.organization)
    )


@rules.predicate
def secretary_of_asked_organization(user, link) -> bool:
    return cohost_request_answerable(user, link)


@rules.predicate
def secretary_of_a_host(user, activity) -> bool:
    return activity_hosted_in_scope(user, activity)


@rules.predicate
def secretary_of_training_organizer(user, session) -> bool:
    return bool(
        session is not None
        and getattr(user, "is_secretary", False)
        and organization_in_scope(user, session.organization)
    )


@rules.predicate
def activity_not_cancelled(user, activity) -> bool:
    return activity is None or activity.status != "cancelled"


rules.add_perm("activities.view_activity", is_signed_in)
rules.add_perm("activities.add_activity", is_bureau_staff | is_secretary)
rules.add_perm(
    "activities.change_activity",
    (is_bureau_staff | secretary_of_a_host) & activity_not_cancelled,
)
rules.add_perm(
    "activities.mark_attendance",
    (is_bureau_staff | secretary_of_a_host) & activity_not_cancelled,
)
rules.add_perm("activities.log_meeting", is_bureau_staff | is_secretary)
# Co-hosting requests: the list for staff and secretaries, an answer by the asked one.
rules.add_perm("activities.view_cohost_requests", is_bureau_staff | is_secretary)
rules.add_perm(
    "activities.answer_cohost_request", is_bureau_staff | secretary_of_asked_organization
)
rules.add_perm("activities.view_compliance", is_signed_in)
rules.add_perm("activities.change_requiredfrequency", is_bureau_staff)
rules.add_perm("activities.view_training", is_signed_in)
rules.add_perm("activities.add_trainingsession", is_bureau_staff | is_secretary)
rules.add_perm(
    "activities.change_trainingsession", is_bureau_staff | secretary_of_training_organizer
)
rules.add_perm("activities.change_contest", is_bureau_staff)
rules.add_perm("activities.change_lectureteam", is_bureau_staff)
rules.add_perm("activities.export_activity", is_signed_in)


# Volunteer points (红色积分): balances and the ranking are read like the hours ledger; the rule
# is the bureau's; exchanges by the bureau or the member's secretary.
@rules.predicate
def secretary_of_points_member(user, member) -> bool:
    return bool(
        member is not None
        and getattr(user, "is_secretary", False)
        and organization_in_scope(user, member.organization)
    )


rules.add_perm("activities.view_points", is_signed_in)
rules.add_perm("activities.change_pointsrule", is_bureau_staff)
rules.add_perm("activities.exchange_points", is_bureau_staff | secretary_of_points_member)
rules.add_perm("activities.export_points", is_signed_in)
