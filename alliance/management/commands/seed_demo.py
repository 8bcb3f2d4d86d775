"""Load the Yinchuan demo data: idempotent, deterministic, `--scale N` for load tests.

Each app contributes a step in its own `demo.py`; the steps run in the order below, each in
its own transaction. A step whose module is not there yet is skipped.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

STEPS = (
    "alliance.demo.seed_accounts",
    "branches.demo.seed",
    "members.demo.seed",
    "venues.demo.seed",
    "activities.demo.seed",
    "alliance.community_demo.seed",
    "assessment.demo.seed",
    "alliance.demo.print_accounts",
)


@dataclass
class DemoContext:
    scale: int
    stdout: object
    rng: random.Random
    users: dict = field(default_factory=dict)


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
        context = DemoContext(scale=scale, stdout=self.stdout, rng=random.Random(20220901))
        for step in STEPS:
            module_name, function_name = step.rsplit(".", 1)
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
            function = getattr(module, function_name, None)
            if function is None:
                continue
            with transaction.atomic():
                function(context=context)
