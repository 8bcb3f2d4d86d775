"""Sections other apps add to the organization page (members, activities, venues, assessment).

An app registers a section in its AppConfig.ready():

    from branches.sections import register_organization_section
    register_organization_section(
        order=20, template="members/includes/_organization_members.html",
        context=lambda request, organization: {"org_members": ...},
    )

The organization page renders every registered section in order, each with its own context
(keep each one to a bounded number of queries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class OrganizationSection:
    order: int
    template: str
    context: Callable[[HttpRequest, object], dict]


_SECTIONS: list[OrganizationSection] = []


def register_organization_section(
    *, order: int, template: str, context: Callable[[HttpRequest, object], dict]
) -> None:
    if any(section.template == template for section in _SECTIONS):
        return  # ready() may run twice in tests
    _SECTIONS.append(OrganizationSection(order=order, template=template, context=context))
    _SECTIONS.sort(key=lambda section: section.order)


def organization_sections(request: HttpRequest, organization) -> list[tuple[str, dict]]:
    """(template, context) for each registered section, in order."""
    return [(s.template, s.context(request, organization)) for s in _SECTIONS]
