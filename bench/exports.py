"""The members export and the activity ledger through core.xlsx, each against raw XlsxWriter
(constant_memory) writing the same rows, in the same run.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_scale50 \\
        .venv/bin/python bench/exports.py --rounds 2

Read only: nothing is written to the database (the exports are prepared through the export
registry as a job would, and written with core.xlsx.build_workbook to temporary files; the
export log is the view's business and is left out). For each export and round, interleaved:

1. the export: `PreparedExport.sheets()` written by `build_workbook` — the query read in
   chunks, labels, masking, skills or hosts per chunk, styles, page setup, progress every
   1,000 rows;
2. raw XlsxWriter: the same query's plain tuples (`values_list(...).iterator(2000)`, the same
   columns and order) given to `write_row` of a constant_memory workbook, nothing else — the
   floor any exporter stands on. For the members export these are the columns the export
   reads (its skills come from a query per chunk); for the ledger, the activities' columns
   (the export adds co-hosts and attendance counts from two queries per chunk).

Prints each time, the row counts (which must agree) and the ratio export / raw.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="", help="a staff username (default: the first)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=["members", "ledger"], default=None)
    parser.add_argument(
        "--members-query",
        default="",
        help="the roster's filter, e.g. organization_category=established",
    )
    parser.add_argument(
        "--ledger-query",
        default="",
        help="the ledger's filter, e.g. date_from=2026-01-01&date_to=2026-06-07 (~90,000 at scale 50)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.http import QueryDict
    from django.utils import translation
    from xlsxwriter import Workbook

    from activities.exports import LEDGER_FIELDS, activity_filterset
    from core.exports import prepare_export
    from core.models import Role, User
    from core.xlsx import WORKBOOK_OPTIONS, build_workbook
    from members.exports import VALUE_FIELDS
    from members.filters import MemberFilter
    from members.selectors import members_for

    translation.activate("zh-hans")
    staff = (
        User.objects.get(username=args.user)
        if args.user
        else User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    )
    if staff is None:
        print("no bureau staff account: run `manage.py seed_demo` first", file=sys.stderr)
        return 1

    def export(name: str, query: str) -> tuple[float, int, int]:
        prepared = prepare_export(name, user=staff, query=QueryDict(query))
        progress_calls = []
        started = time.perf_counter()
        with tempfile.TemporaryFile() as spool:
            rows = build_workbook(prepared.sheets(), spool, progress=progress_calls.append)
            size = spool.tell()
        elapsed = time.perf_counter() - started
        assert len(progress_calls) == rows // 1000, (len(progress_calls), rows)
        return elapsed, rows, size

    def raw(queryset, fields, options=None) -> tuple[float, int]:
        started = time.perf_counter()
        with tempfile.TemporaryFile() as spool:
            workbook = Workbook(spool, {**WORKBOOK_OPTIONS, **(options or {})})
            ws = workbook.add_worksheet("raw")
            row_number = 0
            for values in queryset.values_list(*fields).iterator(chunk_size=2000):
                row_number += 1
                ws.write_row(row_number, 0, values)
            workbook.close()
        return time.perf_counter() - started, row_number

    members = members_for(staff)
    if args.members_query:
        members = MemberFilter(QueryDict(args.members_query), queryset=members, user=staff).qs
    members = members.order_by("organization__path", "name", "pk")
    # The ledger's floor: the activities' own columns (without the co-hosts and attendance
    # counts the export adds per chunk), aware datetimes written without their time zone.
    ledger = activity_filterset(staff, QueryDict(args.ledger_query)).qs.order_by("start", "pk")

    def raw_ledger():
        return raw(ledger, LEDGER_FIELDS, {"remove_timezone": True})

    plans = {
        "members": (
            lambda: export("members", "&".join(filter(None, ["unmasked=1", args.members_query]))),
            lambda: raw(members, VALUE_FIELDS),
        ),
        "ledger": (lambda: export("activities.ledger", args.ledger_query), raw_ledger),
    }

    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}, as {staff.username}, "
        f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )
    ok = True
    for name, (run_export, run_raw) in plans.items():
        if args.only and name != args.only:
            continue
        ratios = []
        for round_number in range(1, args.rounds + 1):
            export_s, export_rows, size = run_export()
            raw_s, raw_rows = run_raw()
            ratio = export_s / raw_s
            ratios.append(ratio)
            ok = ok and export_rows == raw_rows
            print(
                f"{name} round {round_number}: export {export_s:.1f} s ({export_rows:,} rows, "
                f"{size / 1024 / 1024:.1f} MB), raw XlsxWriter {raw_s:.1f} s ({raw_rows:,} rows)"
                f", export / raw {ratio:.2f}×, load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        print(f"{name}: median export / raw {statistics.median(ratios):.2f}×")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
