"""Sections of the profile page (我的设置) contributed by the apps above core.

An app registers a template and a context function in its AppConfig.ready(); the profile page
renders each below its own form, in order. Core never imports the apps (the floors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class ProfileSection:
    order: int
    template: str
    context: Callable[[HttpRequest], dict]


_SECTIONS: list[ProfileSection] = []


def register_profile_section(
    *, order: int, template: str, context: Callable[[HttpRequest], dict]
) -> None:
    if any(section.template == template for section in _SECTIONS):
        return  # ready() may run twice in tests
    _SECTIONS.append(ProfileSection(order=order, template=template, context=context))
    _SECTIONS.sort(key=lambda section: section.order)


def profile_sections(request: HttpRequest) -> list[tuple[str, dict]]:
    """(template, context) for each registered section, in order."""
    return [(section.template, section.context(request)) for section in _SECTIONS]
