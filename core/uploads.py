"""Uploaded files checked by what they contain, never by the name or type the browser sent.

`check_upload(upload, kinds=…, max_bytes=…)` reads the file's first bytes (and, for Word and
Excel files, the zip's table of contents) and returns what it is, or raises ServiceError with
a sentence naming the problem. Callers store the file through Django's storage API under a
portal-generated name with the detected extension (`portal_file_name`), and serve it through a
permission-checked view — never from MEDIA_URL.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ServiceError

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
    original = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][-200:]
    return CheckedFile(
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=size,
        original_name=original or f"file.{extension}",
    )


def portal_file_name(folder: str, extension: str) -> str:
    """A stored name the portal chooses: never the uploaded one, which may lie about its type."""
    return f"{folder}/{uuid.uuid4().hex}.{extension}"
