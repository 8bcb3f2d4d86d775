"""The portal's permission layer, on django-rules.

Roles are predicates here; each app's `permissions.py` combines them into rules named
"<app>.<verb>_<model>" that views declare in one line (`permission_required = "..."`,
rules' PermissionRequiredMixin) and templates test with `{% has_perm %}`.

Reading is scoped before permissions are asked: views fetch objects through selectors that
take the user, so another organization's object is a 404 before any rule runs.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied


@rules.predicate
def is_bureau_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_bureau_staff)


@rules.predicate
def is_secretary(user) -> bool:
    return bool(user and user.is_authenticated and user.is_secretary)


@rules.predicate
def is_supervisor(user) -> bool:
    return bool(user and user.is_authenticated and user.is_supervisor)


@rules.predicate
def is_liaison(user) -> bool:
    return bool(user and user.is_authenticated and user.is_liaison)


@rules.predicate
def is_viewer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_viewer)


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def require_perm(request, perm: str, obj=None) -> None:
    """For function views: raise PermissionDenied (403) unless the user has `perm` on `obj`.
    Fetch `obj` through a selector first, so that an invisible object is a 404 before this."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def organization_in_scope(user, organization) -> bool:
    """True when `organization` is the user's own organization or lies in its subtree."""
    own = getattr(user, "organization", None)
    if own is None or organization is None:
        return False
    return organization.path.startswith(own.path)


@rules.predicate
def secretary_of_organization(user, organization) -> bool:
    """The user is a secretary and `organization` is theirs or below it."""
    return bool(is_secretary(user) and organization_in_scope(user, organization))


rules.add_perm("core.view_exportlog", is_bureau_staff)
rules.add_perm("core.view_audit", is_bureau_staff)  # the audit log page (core.audit_views)
# Everyone signed in has an inbox and a profile of their own (only their own: views read them
# through core.notifications.inbox_for(user) and request.user).
rules.add_perm("core.view_notification", is_signed_in)
rules.add_perm("core.change_profile", is_signed_in)
