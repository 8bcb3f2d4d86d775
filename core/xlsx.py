"""The one exporter every app's `exports.py` uses: a header row and an iterator of rows,
written with openpyxl's write-only mode to a temporary file and streamed to the browser.

Rows are consumed one at a time (pass a queryset's `.iterator()`), so a large export never sits
in memory. Text that a spreadsheet would take for a formula is stored as plain text. Every
download is written to the export log here, by the exporter itself.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.http import FileResponse, QueryDict
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.services import export_log_record

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(bold=True, size=14)


@dataclass
class Sheet:
    """One worksheet: a title, the column headers and the rows (any iterable)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None
    caption: str = ""  # a title row above the header, e.g. "2025 年度统计报表（生成于 …）"
    number_formats: dict[int, str] = field(default_factory=dict)  # column index → format


def _cell(ws, value: Any, number_format: str | None = None) -> Any:
    """A value ready to append: plain where openpyxl needs nothing more (the fast path), a
    WriteOnlyCell where the value needs a format or must be kept from being read as a formula."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        number_format = number_format or "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        number_format = number_format or "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        value = float(value)
    elif value is not None and not isinstance(value, (int, float, bool, str)):
        value = str(value)
    formula_like = isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
    if not formula_like and not number_format:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if formula_like:
        # Stored as a string cell with Excel's quote prefix: shown and read back as text.
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell


def write_sheet(workbook: Workbook, sheet: Sheet) -> int:
    """Append one sheet to a write-only workbook; returns the number of data rows written."""
    ws = workbook.create_sheet(title=sheet.title[:31])
    widths = sheet.widths or [max(10, min(40, len(str(h)) * 2 + 4)) for h in sheet.headers]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    header_row_number = 2 if sheet.caption else 1
    ws.freeze_panes = f"A{header_row_number + 1}"  # write-only: set before the first row
    if sheet.caption:
        caption = WriteOnlyCell(ws, value=sheet.caption)
        caption.font = TITLE_FONT
        ws.append([caption])
    headers = []
    for title in sheet.headers:
        cell = WriteOnlyCell(ws, value=str(title))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        headers.append(cell)
    ws.append(headers)
    count = 0
    for row in sheet.rows:
        ws.append(
            [_cell(ws, value, sheet.number_formats.get(index)) for index, value in enumerate(row)]
        )
        count += 1
    if sheet.headers:
        last = get_column_letter(len(sheet.headers))
        ws.auto_filter.ref = f"A{header_row_number}:{last}{header_row_number + count}"
    return count


PROGRESS_EVERY = 1000


def _counted(
    rows: Iterable[Sequence[Any]], done: list[int], progress: Callable[[int], None], every: int
) -> Iterator[Sequence[Any]]:
    """The rows, calling `progress(rows written so far)` every `every` rows (across sheets:
    `done` is the running total shared by every sheet of the workbook)."""
    for row in rows:
        yield row
        done[0] += 1
        if done[0] % every == 0:
            progress(done[0])


def build_workbook(
    sheets: Iterable[Sheet],
    target,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
) -> int:
    """Write every sheet into `target` (a path or binary file); returns the total data rows.

    `progress`, when given, is called with the number of data rows written so far every
    `every` rows (a background job records it for its progress bar)."""
    workbook = Workbook(write_only=True)
    if progress is None:
        total = sum(write_sheet(workbook, sheet) for sheet in sheets)
    else:
        done = [0]
        total = 0
        for sheet in sheets:
            counted = replace(sheet, rows=_counted(sheet.rows, done, progress, every))
            total += write_sheet(workbook, counted)
    workbook.save(target)
    return total


def xlsx_response(
    filename: str,
    sheets: Iterable[Sheet] | Sheet,
    *,
    user,
    export: str,
    query: QueryDict | dict | str = "",
    unmasked: bool = False,
) -> FileResponse:
    """Build the workbook into a temporary file, record the download in the export log (who,
    which export, which filter, unmasked or not, how many rows) and stream it."""
    if isinstance(sheets, Sheet):
        sheets = [sheets]
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it
    rows = build_workbook(sheets, spool)
    spool.seek(0)
    export_log_record(user=user, export=export, query=query, unmasked=unmasked, rows=rows)
    response = FileResponse(
        spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response.rows_written = rows
    return response
