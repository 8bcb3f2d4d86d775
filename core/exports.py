"""The export registry: every Excel export of the portal by name, so that a background job can
build it again from (user, export name, filter) alone.

Each app's `exports.py` registers its exports:

    @register_export("members", title=_lazy("Member roster"), permission="members.export_member")
    def members_export(user, query: QueryDict) -> PreparedExport:
        ...scope by `user` exactly as the page does, read the filter from `query`...
        return PreparedExport(filename=..., sheets=lambda: [...], rows_total=qs.count, ...)

The function is called in the request (to count the rows and, for a small export, to write it
at once) and again by the job worker, maybe days later: it must derive everything — scope,
filter, unmasked or not — from its two arguments, never from a request. The registry checks
that the user is still active and still holds `permission`; the function raises
`ExportRefused` for anything finer (an object the user may no longer export).

Apps' `exports.py` modules are found the way the admin finds `admin.py` (Django's
`autodiscover_modules`, on the first look-up), so the job worker knows every export without
importing the floors above core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.xlsx import Sheet


class ExportRefused(ServiceError):
    """The user may not (or may no longer) download this export."""


@dataclass
class PreparedExport:
    """One export ready to be written: nothing is read from the database until `sheets()`
    is called and its rows iterated, or `rows_total()` is called."""

    filename: str
    sheets: Callable[[], Iterable[Sheet]]
    rows_total: Callable[[], int]  # one count query: the data rows the workbook will hold
    unmasked: bool = False
    query: QueryDict | dict | str = ""  # the filter as the export log records it


@dataclass(frozen=True)
class ExportSpec:
    name: str
    title: str  # lazy; the job list shows it
    prepare: Callable[..., PreparedExport]
    permission: str | None = None
    options: dict = field(default_factory=dict)


_registry: dict[str, ExportSpec] = {}
_discovered = False


def register_export(name: str, *, title, permission: str | None = None):
    """Decorator: register `function(user, query) -> PreparedExport` as export `name` (the
    name the export log records). `permission`, a django-rules permission without object, is
    asked of the user each time the export is prepared."""

    def decorator(function: Callable[..., PreparedExport]):
        existing = _registry.get(name)
        if existing is not None and existing.prepare.__qualname__ != function.__qualname__:
            raise ValueError(f"export {name!r} is registered twice")
        _registry[name] = ExportSpec(
            name=name, title=title, prepare=function, permission=permission
        )
        return function

    return decorator


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("exports")
        _discovered = True


def get_export(name: str) -> ExportSpec:
    """The registered export `name`; KeyError when there is none."""
    _discover()
    return _registry[name]


def registered_exports() -> dict[str, ExportSpec]:
    _discover()
    return dict(_registry)


def prepare_export(name: str, *, user, query: QueryDict) -> PreparedExport:
    """Export `name` for `user` with this filter, after checking the user may still have it."""
    spec = get_export(name)
    if not user.is_active:
        raise ExportRefused(_("This account is no longer active."))
    if spec.permission and not user.has_perm(spec.permission):
        raise ExportRefused(_("You may no longer download this export."))
    return spec.prepare(user, query)
