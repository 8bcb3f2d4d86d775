"""Load the reference tables from the CSV files in branches/data/ (copied from shared/data)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICT_ORDER = ("兴庆区", "金凤区", "西夏区", "永宁县", "贺兰县", "灵武市")


def load_reference_data(apps=None) -> None:
    """Idempotent: creates what is missing, changes nothing that is there."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    District = apps.get_model("branches", "District")
    Street = apps.get_model("branches", "Street")
    Community = apps.get_model("branches", "Community")
    Department = apps.get_model("branches", "Department")

    districts = {}
    streets = {}
    with open(DATA_DIR / "yinchuan-divisions.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["district"]
            if name not in districts:
                position = DISTRICT_ORDER.index(name) if name in DISTRICT_ORDER else 99
                districts[name], _ = District.objects.get_or_create(
                    name=name, defaults={"position": position}
                )
            district = districts[name]
            key = (name, row["street"])
            if key not in streets:
                streets[key], _ = Street.objects.get_or_create(
                    district=district, name=row["street"]
                )
            if not row["community"].strip():
                continue  # a town (乡/镇) listed without a residents' committee
            Community.objects.get_or_create(
                street=streets[key], name=row["community"], defaults={"district": district}
            )
    with open(DATA_DIR / "yinchuan-city-departments.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Department.objects.get_or_create(
                name=row["name"], defaults={"short_name": row["short_name"], "kind": row["kind"]}
            )
