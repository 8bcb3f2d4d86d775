"""Message catalogs without GNU gettext: extract with Babel (templates via Django's own
`templatize`), merge and compile with polib.

Each app keeps its own catalog in `<app>/locale/zh_Hans/LC_MESSAGES/django.po`; the site-wide
templates in `templates/` use `locale/zh_Hans/…`. `manage.py i18n_sync` adds new source strings
to the right catalog; `manage.py compile_catalogs` writes the `.mo` files (make does it);
`tests/core/test_i18n.py` fails on any string that is missing, empty or fuzzy.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("core", "branches", "members", "venues", "activities", "alliance", "assessment", "home")
LANGUAGE_DIR = "zh_Hans"

KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "_lazy": None,  # gettext_lazy imported as _lazy beside gettext as _
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
SKIP_DIRS = {"migrations", "locale", "__pycache__", "static", "data"}


@dataclass(frozen=True)
class Catalog:
    root: Path  # the folder whose sources it covers
    po_path: Path

    @property
    def name(self) -> str:
        return self.root.name


def catalogs() -> list[Catalog]:
    found = [
        Catalog(
            BASE_DIR / app, BASE_DIR / app / "locale" / LANGUAGE_DIR / "LC_MESSAGES" / "django.po"
        )
        for app in APPS
    ]
    found.append(
        Catalog(
            BASE_DIR / "templates", BASE_DIR / "locale" / LANGUAGE_DIR / "LC_MESSAGES" / "django.po"
        )
    )
    return found


def _source_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if any(part in SKIP_DIRS for part in path.relative_to(root).parts[:-1]):
            continue
        if path.suffix in {".py", ".html", ".txt"} and path.is_file():
            yield path


def _extract_file(path: Path) -> Iterator[tuple[str | None, str, str | None, int]]:
    """Yield (context, msgid, msgid_plural, line) for one file."""
    from babel.messages.extract import extract

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        source = text
    else:
        from django.utils.translation.template import templatize

        source = templatize(text, origin=str(path))
    for lineno, message, _comments, context in extract(
        "python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
        else:
            singular, plural = message, None
        if singular:
            yield context, singular, plural, lineno


def extract(catalog: Catalog) -> dict[tuple[str | None, str], tuple[str | None, str]]:
    """(context, msgid) → (msgid_plural, "file:line") for every translatable string."""
    found: dict[tuple[str | None, str], tuple[str | None, str]] = {}
    for path in _source_files(catalog.root):
        for context, msgid, plural, lineno in _extract_file(path):
            where = f"{path.relative_to(BASE_DIR)}:{lineno}"
            found.setdefault((context, msgid), (plural, where))
    return found


def load(catalog: Catalog) -> polib.POFile:
    if catalog.po_path.exists():
        return polib.pofile(str(catalog.po_path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "alliance",
        "Language": "zh_Hans",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return po


def problems(catalog: Catalog) -> list[str]:
    """Every source string missing from the catalog, untranslated, or fuzzy."""
    po = load(catalog)
    entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    found = []
    for (context, msgid), (plural, where) in sorted(
        extract(catalog).items(), key=lambda item: item[1][1]
    ):
        entry = entries.get((context, msgid))
        if entry is None:
            found.append(f"{where}: missing {msgid!r}")
        elif entry.fuzzy:
            found.append(f"{where}: fuzzy {msgid!r}")
        elif plural and not all(entry.msgstr_plural.values()):
            found.append(f"{where}: untranslated plural {msgid!r}")
        elif not plural and not entry.msgstr:
            found.append(f"{where}: untranslated {msgid!r}")
    return found


def sync(catalog: Catalog, translations: dict[str, str] | None = None) -> tuple[int, int]:
    """Add new strings (empty translation), drop ones no longer in the source, and fill empty
    translations from `translations` (msgid → msgstr; for plurals the one Chinese form).

    Returns (added, untranslated).
    """
    po = load(catalog)
    extracted = extract(catalog)
    entries = {(e.msgctxt, e.msgid): e for e in po}
    added = 0
    for (context, msgid), (plural, where) in extracted.items():
        entry = entries.get((context, msgid))
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr="", msgctxt=context)
            if plural:
                entry.msgid_plural = plural
                entry.msgstr_plural = {0: ""}
            po.append(entry)
            added += 1
        entry.obsolete = False
        if translations and msgid in translations:
            if plural and not all(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: translations[msgid]}
            elif not plural and not entry.msgstr:
                entry.msgstr = translations[msgid]
        entry.occurrences = [tuple(where.rsplit(":", 1))]
    for key, entry in list(entries.items()):
        if key not in extracted:
            po.remove(entry)
    po.sort(key=lambda e: (e.occurrences[0] if e.occurrences else ("", ""), e.msgid))
    catalog.po_path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(catalog.po_path))
    untranslated = sum(
        1
        for e in po
        if not e.obsolete and not (e.msgstr or (e.msgid_plural and all(e.msgstr_plural.values())))
    )
    return added, untranslated


def compile_all() -> list[Path]:
    written = []
    for catalog in catalogs():
        if catalog.po_path.exists():
            mo_path = catalog.po_path.with_suffix(".mo")
            po = polib.pofile(str(catalog.po_path))
            # Always written: cheap, and an mtime comparison misses edits made within the
            # same timestamp tick or restored by git with older times.
            po.save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written
