"""The one exporter every app's `exports.py` uses: a header row and an iterator of rows,
written with XlsxWriter in constant-memory mode to a temporary file and streamed to the browser.

Rows are consumed one at a time (pass a queryset's `.iterator()`) and each row is flushed to
disk as soon as the next one starts, so a large export never sits in memory. Text that a
spreadsheet would take for a formula is stored as plain text (and marked with Excel's quote
prefix). Every download is written to the export log here, by the exporter itself.

Speed: a row goes to XlsxWriter's own `write_row` untouched; only the values that need
something (text that looks like a formula, dates, aware datetimes, decimals, lazy strings) are
caught by write handlers registered per type, so a plain row costs what raw XlsxWriter costs.
openpyxl stays for reading workbooks (imports) and for callers that reopen a written workbook
to add what a streamed sheet cannot hold (assessment's drop-down lists).
"""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import FileResponse, QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy_text
from django.utils.translation import pgettext
from openpyxl.utils import get_column_letter
from xlsxwriter import Workbook

from core.services import export_log_record

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,  # "=1+1" stays text
    "strings_to_urls": False,  # no hyperlinks made from text
    "strings_to_numbers": False,  # "0138…" stays text
}

HEADER_STYLE = {
    "bold": True,
    "bg_color": "#F2DCDB",
    "text_wrap": True,
    "align": "center",
    "valign": "vcenter",
    "border": 1,
}
TITLE_STYLE = {"bold": True, "font_size": 14}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
LANDSCAPE_FROM = 9  # columns: wider sheets print landscape
LANDSCAPE_WIDTH = 100  # or total column width (characters) past what portrait A4 holds
A4 = 9  # Excel's paper code
MAX_TITLE = 31
LAST_ROW = 1_048_575  # Excel's last row, 0-based
TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))

# Characters a string cell may start with that need a second look (one set lookup per string):
# the formula-like prefixes, and "<" for XlsxWriter's in-line rich strings (see _write_text).
_SPECIAL_FIRST = frozenset(FORMULA_PREFIXES) | {"<"}
_LAZY_STRING = type(lazy_text("x"))  # the class of every gettext_lazy string


@dataclass
class Sheet:
    """One worksheet: a title, the column headers and the rows (any iterable)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None
    caption: str = ""  # a title row above the header, e.g. "2025 年度统计报表（生成于 …）"
    number_formats: dict[int, str] = field(default_factory=dict)  # column index → format
    one_page: bool = False  # printed on one page (a short summary: labels beside their numbers)


class _Styles:
    """The formats of one workbook, made once (XlsxWriter formats belong to their workbook)."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.header = workbook.add_format(HEADER_STYLE)
        self.title = workbook.add_format(TITLE_STYLE)
        self.text = workbook.add_format({"quote_prefix": True})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.datetime = workbook.add_format({"num_format": DATETIME_FORMAT})
        self._numbers: dict[str, Any] = {}

    def number(self, number_format: str):
        if number_format not in self._numbers:
            self._numbers[number_format] = self.workbook.add_format({"num_format": number_format})
        return self._numbers[number_format]


def _run(value: str) -> str:
    """`value` as one escaped rich-text run, which XlsxWriter writes in-line untouched."""
    return f'<r><t xml:space="preserve">{escape(value).replace(chr(13), "&#13;")}</t></r>'


def _write_text(ws, row: int, col: int, value: str, cell_format=None):
    """Handler for text cells: only text starting with a character of _SPECIAL_FIRST or
    holding a carriage return does more than two quick tests; everything else goes back to
    XlsxWriter (return None)."""
    if value[:1] not in _SPECIAL_FIRST and "\r" not in value:
        return None
    if value.startswith(FORMULA_PREFIXES):
        cell_format = ws.xlsx_styles.text  # shown and read back as text, never evaluated
    if "\r" in value or (value.startswith("<r>") and value.endswith("</r>")):
        # XlsxWriter writes text shaped like "<r>…</r>" in-line as raw rich-text XML, and a
        # carriage return as "_x000D_": written as a run of its own, escaped, the cell holds
        # exactly this text and the file stays valid.
        value = _run(value)
    return ws.write_string(row, col, value, cell_format)


def _write_lazy(ws, row: int, col: int, value, cell_format=None):
    return ws.write(row, col, str(value), cell_format)


def _write_date(ws, row: int, col: int, value: datetime.date, cell_format=None):
    return ws.write_datetime(row, col, value, ws.xlsx_date_formats.get(col, ws.xlsx_styles.date))


def _write_datetime(ws, row: int, col: int, value: datetime.datetime, cell_format=None):
    if value.tzinfo is not None:
        value = value.astimezone(ws.xlsx_zone).replace(tzinfo=None)
    return ws.write_datetime(
        row, col, value, ws.xlsx_date_formats.get(col, ws.xlsx_styles.datetime)
    )


def _write_decimal(ws, row: int, col: int, value: Decimal, cell_format=None):
    return ws.write_number(row, col, float(value), cell_format)


HANDLERS: dict[type, Callable] = {
    str: _write_text,
    SafeString: _write_text,
    _LAZY_STRING: _write_lazy,
    datetime.date: _write_date,
    datetime.datetime: _write_datetime,
    Decimal: _write_decimal,
}


def _plain(value: Any) -> Any:
    """A value XlsxWriter has no rule for (a model, a UUID, a lazy string of another kind)
    becomes its text, as openpyxl's exporter wrote it."""
    if value is None or isinstance(value, (bool, int, float, str, datetime.date, Decimal)):
        return value
    return str(value)


def _write_slowly(ws, row_number: int, row: Sequence[Any]) -> None:
    """One row cell by cell: for a row that `write_row` stopped in (a value of an unknown
    type, or text over Excel's 32,767 characters, which XlsxWriter truncates)."""
    for col, value in enumerate(row):
        ws.write(row_number, col, _plain(value))


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet title: Excel's forbidden characters replaced, at most 31
    characters, numbered when another sheet of the workbook has it (Excel ignores case)."""
    base = (str(title).translate(TITLE_FORBIDDEN).strip("'").strip() or "Sheet")[:MAX_TITLE]
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: MAX_TITLE - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _footer(text: str) -> str:
    return text.replace("&", "&&")


def is_wide(widths: Sequence[float]) -> bool:
    """Whether a sheet of these column widths prints landscape."""
    return len(widths) >= LANDSCAPE_FROM or sum(widths) > LANDSCAPE_WIDTH


def page_footer() -> str:
    """The footer of every printed page: the day of the export left, "page n of m" right."""
    page = _("Page &P of &N")  # &P and &N are Excel's page number and page count
    return f"&L{_footer(timezone.localdate().isoformat())}&R{page}"


def _page_setup(ws, header_row: int, widths: Sequence[float], *, one_page: bool = False) -> None:
    """Print setup: A4, landscape for wide sheets, all columns on one page width (any number
    of pages down), the header row on every page, page numbers and the day of the export in
    the footer; a `one_page` sheet is shrunk onto one page."""
    ws.set_paper(A4)
    if is_wide(widths):
        ws.set_landscape()
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    ws.set_footer(page_footer())


def openpyxl_page_setup(ws, *, header_row: int = 1, one_page: bool = False) -> None:
    """The same print setup for a worksheet written with openpyxl (`header_row` 1-based):
    widths are read from its column dimensions."""
    columns = ws.max_column or 1
    widths = [
        ws.column_dimensions[get_column_letter(index)].width or 8.43
        for index in range(1, columns + 1)
    ]
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if is_wide(widths) else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    left, right = page_footer()[2:].split("&R")
    ws.oddFooter.left.text = left
    ws.oddFooter.right.text = right


def _start_sheet(workbook: Workbook, sheet: Sheet, styles: _Styles, taken: set[str]):
    """A new worksheet with the sheet's widths, caption, header row, frozen panes, page setup
    and write handlers; returns it and the (0-based) number of its header row."""
    ws = workbook.add_worksheet(sheet_title(sheet.title, taken))
    headers = [str(title) for title in sheet.headers]
    widths = sheet.widths or [max(10, min(40, len(title) * 2 + 4)) for title in headers]
    for index, width in enumerate(widths):
        number_format = sheet.number_formats.get(index)
        ws.set_column(index, index, width, styles.number(number_format) if number_format else None)
    # What the handlers read: per-column formats for dates, the time zone for aware datetimes.
    ws.xlsx_styles = styles
    ws.xlsx_zone = timezone.get_current_timezone()
    ws.xlsx_date_formats = {
        index: styles.number(number_format) for index, number_format in sheet.number_formats.items()
    }
    for kind, handler in HANDLERS.items():
        ws.add_write_handler(kind, handler)
    header_row = 0
    if sheet.caption:
        ws.write_string(0, 0, str(sheet.caption), styles.title)
        header_row = 1
    for col, title in enumerate(headers):
        ws.write_string(header_row, col, title, styles.header)
    ws.freeze_panes(header_row + 1, 0)
    _page_setup(ws, header_row, widths, one_page=sheet.one_page)
    return ws, header_row


def _finish_sheet(ws, header_row: int, last_row: int, columns: int) -> None:
    if columns:
        ws.autofilter(header_row, 0, last_row, columns - 1)


def write_sheet(
    workbook: Workbook,
    sheet: Sheet,
    *,
    styles: _Styles | None = None,
    taken: set[str] | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 0,
    done: int = 0,
) -> int:
    """Write one sheet into an XlsxWriter workbook; returns the number of data rows written.

    Rows past Excel's last row go on to a second worksheet of the same title, numbered, with
    the same header. `progress(done + rows written)` is called whenever that running total is
    a multiple of `every` (the total runs across the sheets of a workbook)."""
    styles = styles or _Styles(workbook)
    taken = taken if taken is not None else {ws.name.lower() for ws in workbook.worksheets()}
    columns = len(sheet.headers)
    ws, header_row = _start_sheet(workbook, sheet, styles, taken)
    write_row = ws.write_row
    row_number = header_row
    count = 0
    for row in sheet.rows:
        if row_number == LAST_ROW:
            _finish_sheet(ws, header_row, row_number, columns)
            ws, header_row = _start_sheet(workbook, sheet, styles, taken)
            write_row = ws.write_row
            row_number = header_row
        row_number += 1
        try:
            if write_row(row_number, 0, row):
                _write_slowly(ws, row_number, row)
        except TypeError:  # a value of a type XlsxWriter has no rule for
            _write_slowly(ws, row_number, row)
        count += 1
        if every:
            done += 1
            if done % every == 0:
                progress(done)
    _finish_sheet(ws, header_row, row_number, columns)
    return count


PROGRESS_EVERY = 1000


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
    workbook = Workbook(target, WORKBOOK_OPTIONS)
    styles = _Styles(workbook)
    taken: set[str] = set()
    total = 0
    try:
        for sheet in sheets:
            total += write_sheet(
                workbook,
                sheet,
                styles=styles,
                taken=taken,
                progress=progress,
                every=every if progress is not None else 0,
                done=total,
            )
        if not workbook.worksheets():
            workbook.add_worksheet()  # a workbook needs one sheet
    finally:
        workbook.close()
    return total


# --- Download file names --------------------------------------------------------------------

# Characters no file system or browser keeps in a file name (and control characters).
_NAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
NAME_MAX = 120  # characters before the extension (Job.filename holds 200)


def download_name(
    what: str,
    *,
    day: datetime.date | None = None,
    year: int | None = None,
    detail: str = "",
    extension: str = "xlsx",
) -> str:
    """A download's file name that says what is in it and when, in the active language:
    `党员名册-2026年12月01日.xlsx`, `活动台账-2026年.xlsx`, `出勤表-支部大会-2026年12月01日.xlsx`.
    `what` is the export's title; `detail` narrows it (an activity, a round); `year` is the
    year the rows are about, `day` the day of the export. Characters a file system refuses
    become "_"."""
    parts = [str(what), str(detail or "")]
    if year is not None:
        parts.append(pgettext("download file name", "%(year)d") % {"year": int(year)})
    if day is not None:
        parts.append(
            pgettext("download file name", "%(year)d-%(month)02d-%(day)02d")
            % {"year": day.year, "month": day.month, "day": day.day}
        )
    stem = "-".join(
        cleaned for part in parts if (cleaned := _NAME_FORBIDDEN.sub("_", part).strip(" ._"))
    )
    return f"{stem[:NAME_MAX] or 'export'}.{extension}"


def ascii_name(filename: str, stem: str) -> str:
    """The plain-ASCII name old browsers fall back to: `stem` (the export's registry name)
    and the numbers of the real name, e.g. `members-2026-12-01.xlsx` for
    `党员名册-2026年12月01日.xlsx`. An ASCII name is kept as it is."""
    if re.fullmatch(r"[A-Za-z0-9._ ()\-]+", filename):
        return filename
    base, dot, extension = filename.rpartition(".")
    if not dot:
        base, extension = filename, ""
    words = [re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-") or "download"]
    words += re.findall(r"[0-9]+", base)
    return "-".join(words) + (f".{extension}" if extension else "")


def content_disposition(filename: str, *, stem: str = "download") -> str:
    """`attachment; filename="ascii.xlsx"; filename*=UTF-8''…` (RFC 6266 with RFC 5987's
    encoded name, which every current browser prefers; the quoted name is for the rest)."""
    return (
        f'attachment; filename="{ascii_name(filename, stem)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def as_download(response, filename: str, *, stem: str = "download"):
    """Set `response`'s Content-Disposition to download as `filename`; returns it."""
    response["Content-Disposition"] = content_disposition(filename, stem=stem)
    return response


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
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    as_download(response, filename, stem=export)
    response.rows_written = rows
    return response
