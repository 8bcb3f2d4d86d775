"""Uploaded files checked by what they contain, never by the name or type the browser sent.

`check_upload(upload, kinds=…, max_bytes=…)` reads the file's first bytes (and, for Word and
Excel files, the zip's table of contents) and returns what it is, or raises ServiceError with
a sentence naming the problem. Callers store the file through Django's storage API under a
portal-generated name with the detected extension (`portal_file_name`), and serve it through a
permission-checked view — never from MEDIA_URL.
"""

from __future__ import annotations

import logging
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import ServiceError

logger = logging.getLogger(__name__)

PDF = "pdf"
IMAGE = "image"
WORD = "word"
EXCEL = "excel"
DOCUMENT_KINDS = frozenset({PDF, IMAGE, WORD, EXCEL})
RECEIPT_KINDS = frozenset({PDF, IMAGE})

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls (Compound File Binary)


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    extension: str
    size: int
    original_name: str


# Limits on what a zip-based upload (.xlsx, .docx) may unpack to, checked from the archive's
# table of contents before any parser opens it. Python's zipfile never inflates a member past
# the size its directory entry declares (it stops there and the CRC check fails), so the
# declared sizes bound the memory a reader can spend. Settings may lower or raise them.
ZIP_MAX_MEMBERS = 200
ZIP_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
ZIP_MAX_RATIO = 100
# A member this small cannot cost much whatever its ratio (XML of empty styles compresses well).
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024


def check_zip_archive(fileobj) -> None:
    """Refuse (ServiceError, field "file") a zip whose members are too many, unpack to too much
    or are compressed suspiciously well — a "zip bomb" — before any parser reads it. A file
    that is not a zip at all passes: the parser that follows says it cannot read it."""
    max_members = getattr(settings, "UPLOAD_ZIP_MAX_MEMBERS", ZIP_MAX_MEMBERS)
    max_bytes = getattr(settings, "UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", ZIP_MAX_UNCOMPRESSED_BYTES)
    max_ratio = getattr(settings, "UPLOAD_ZIP_MAX_RATIO", ZIP_MAX_RATIO)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return
    finally:
        fileobj.seek(0)
    if len(entries) > max_members:
        raise ServiceError(
            _(
                "The file is refused: it is a compressed archive of %(count)s parts, more than "
                "the %(max)s an Excel or Word file may have."
            )
            % {"count": len(entries), "max": max_members},
            field="file",
        )
    total = sum(entry.file_size for entry in entries)
    if total > max_bytes:
        raise ServiceError(
            _(
                "The file is refused: it unpacks to %(size)s MB, more than the %(max)s MB "
                "allowed. Please split it into smaller files."
            )
            % {"size": total // (1024 * 1024), "max": max_bytes // (1024 * 1024)},
            field="file",
        )
    for entry in entries:
        if entry.file_size <= ZIP_RATIO_FLOOR_BYTES:
            continue
        if entry.file_size > max_ratio * max(entry.compress_size, 1):
            raise ServiceError(
                _(
                    "The file is refused: its part “%(part)s” is compressed %(ratio)s times, "
                    "more than the %(max)s times a real workbook or document reaches."
                )
                % {
                    "part": entry.filename[-80:],
                    "ratio": entry.file_size // max(entry.compress_size, 1),
                    "max": max_ratio,
                },
                field="file",
            )


def _zip_members(upload) -> set[str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        upload.seek(0)


def _sniff(upload, head: bytes) -> tuple[str, str, str] | None:
    """(kind, content type, extension) of the file, or None when it is none of the kinds."""
    if head.startswith(b"%PDF-"):
        return PDF, "application/pdf", "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE, "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE, "image/png", "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return IMAGE, "image/gif", "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE, "image/webp", "webp"
    if head.startswith(b"PK\x03\x04"):
        members = _zip_members(upload)
        if "[Content_Types].xml" in members and "word/document.xml" in members:
            return (
                WORD,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            )
        if "[Content_Types].xml" in members and "xl/workbook.xml" in members:
            return (
                EXCEL,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        return None
    if head.startswith(OLE2):
        # A compound file does not say in its first bytes whether it is Word or Excel: the
        # uploaded name decides between the two, and nothing else is accepted.
        name = (getattr(upload, "name", "") or "").lower()
        if name.endswith(".doc"):
            return WORD, "application/msword", "doc"
        if name.endswith(".xls"):
            return EXCEL, "application/vnd.ms-excel", "xls"
    return None


def _kinds_sentence(kinds) -> str:
    names = {
        PDF: _("PDF"),
        IMAGE: _("photos (JPEG, PNG, GIF, WebP)"),
        WORD: _("Word documents"),
        EXCEL: _("Excel workbooks"),
    }
    return "、".join(str(names[kind]) for kind in (PDF, WORD, EXCEL, IMAGE) if kind in kinds)


def check_upload(upload, *, kinds=DOCUMENT_KINDS, max_bytes: int = 10 * 1024 * 1024) -> CheckedFile:
    """What `upload` is, checked by content and size; ServiceError (field "file") otherwise."""
    size = upload.size or 0
    if size == 0:
        raise ServiceError(_("The file is empty."), field="file")
    if size > max_bytes:
        raise ServiceError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = _sniff(upload, head)
    if sniffed is None or sniffed[0] not in kinds:
        raise ServiceError(
            _("This file is not one that can be attached here. Allowed: %(kinds)s.")
            % {"kinds": _kinds_sentence(kinds)},
            field="file",
        )
    kind, content_type, extension = sniffed
    if extension in ("docx", "xlsx"):
        check_zip_archive(upload)
    return CheckedFile(
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=size,
        original_name=name_with_extension(getattr(upload, "name", ""), extension),
    )


def name_with_extension(uploaded_name: str | None, extension: str) -> str:
    """The name a file is offered under when downloaded: the uploaded name's stem with the
    extension of the type detected, so a PNG sent as "x.html" comes back as "x.png" (and a PDF
    sent as ".svg" as "file.pdf"); no folders, no control characters."""
    base = (uploaded_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .")[:150]
    return f"{stem or 'file'}.{extension}"


def portal_file_name(folder: str, extension: str) -> str:
    """A stored name the portal chooses: never the uploaded one, which may lie about its type."""
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def open_stored(file, *, what: str):
    """`file` (a FileField's value) opened for reading; Http404, and a warning in the log
    naming the row, when the row is there but its file is gone from storage (a restore without
    the media files, a deleted bucket object). `what` says which row, e.g. "attachment 12"."""
    if not file:
        logger.warning("%s has no stored file", what)
        raise Http404
    try:
        return file.open("rb")
    except FileNotFoundError:
        logger.warning("%s: the stored file %s is missing from storage", what, file.name)
        raise Http404 from None
