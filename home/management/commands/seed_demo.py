"""Load the Yinchuan demo data: idempotent, deterministic, `--scale N` for load tests.

Each app contributes a step in its own `demo.py`; the steps run in the order below, each in
its own transaction (what a step tells the apps above it runs when that transaction commits).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone, translation

from activities import demo as activities_demo
from activities import points_demo as activities_points_demo
from activities import signin_demo as activities_signin_demo
from alliance import demo as alliance_demo
from assessment import demo as assessment_demo
from branches import demo as branches_demo
from branches import election_demo as branches_election_demo
from core import demo as core_demo
from home import cache as home_cache
from members import care_demo as members_care_demo
from members import demo as members_demo
from venues import demo as venues_demo

STEPS = (
    core_demo.seed_accounts,
    branches_demo.seed,
    alliance_demo.seed_registry,
    members_demo.seed,
    members_care_demo.seed,
    branches_election_demo.seed,
    venues_demo.seed,
    activities_demo.seed,
    activities_signin_demo.seed,
    activities_points_demo.seed,
    alliance_demo.seed,
    assessment_demo.seed,
    core_demo.print_accounts,
)


@dataclass
class DemoContext:
    scale: int
    stdout: object
    rng: random.Random
    users: dict = field(default_factory=dict)
    organization_nodes: list = field(default_factory=list)  # branches → alliance registry
    reserved_joint_activities: int = 0  # joint activities the alliance step holds itself


class Command(BaseCommand):
    help = "Create the demo accounts and the Yinchuan demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiply the data (load tests)")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, scale: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo 会写入演示数据；DEBUG 关闭时须加 --force。"
                " / seed_demo writes demo data; with DEBUG off, add --force."
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        context = DemoContext(
            scale=scale,
            stdout=self.stdout,
            rng=random.Random(20220901),
            reserved_joint_activities=alliance_demo.held_joint_activities(),
        )
        for step in STEPS:
            with transaction.atomic():
                step(context=context)
        if connection.vendor == "postgresql":
            # Planner statistics for everything just loaded: autovacuum may be off or not have
            # run yet, and without statistics the planner takes the new tables for empty.
            # VACUUM too (not possible inside a transaction: a test's): a table never vacuumed
            # has no visibility map, and a list's COUNT(*) then reads every heap page.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self._compute_home_figures()

    def _compute_home_figures(self) -> None:
        """The 首页's aggregates computed once now, as the job worker does after a change: at
        scale they take seconds, and the first 首页 request then finds them kept
        (home.FigureSnapshot) instead of computing them."""
        if settings.HOME_BACKGROUND_AFTER_SECONDS is None:
            return
        year = timezone.localdate().year
        with translation.override(settings.LANGUAGE_CODE):
            for name in home_cache.refreshable():
                started = time.perf_counter()
                home_cache.refresh(name, year)
                self.stdout.write(
                    f"home: {name} {year} computed in {time.perf_counter() - started:.1f} s"
                )
