"""Documents (制度与通知): the bureau publishes, addressed secretaries read (已阅) and reply (回执).

Publishing notifies the secretaries of the addressed organizations once the transaction has
committed. Files are checked by content and size (core.uploads) and stored through Django's
storage API under a portal-chosen name with the detected extension.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alliance.models import (
    Document,
    DocumentAttachment,
    DocumentRead,
    DocumentReply,
)
from alliance.selectors import document_addresses, expected_readers
from alliance.services.base import CoordinationError, _message
from branches.models import Organization
from core.errors import ServiceError
from core.history import save_with_action
from core.models import Role, User
from core.notifications import notify
from core.uploads import DOCUMENT_KINDS, check_upload, portal_file_name

MAX_FILE_BYTES = 20 * 1024 * 1024
DOCUMENT_PUBLISHED = "document-published"


class DocumentError(CoordinationError):
    """A document write that cannot be done; the message is shown to the user."""


def _require(condition, message: str, field: str | None = None) -> None:
    if not condition:
        raise DocumentError(message, field=field)


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise DocumentError(_message(exc)) from exc


def _checked(upload):
    try:
        return check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=MAX_FILE_BYTES)
    except ServiceError as exc:
        raise DocumentError(exc.message, field=exc.field) from exc


def _store(instance, upload, checked) -> None:
    instance.original_name = checked.original_name
    instance.content_type = checked.content_type
    instance.extension = checked.extension
    instance.size = checked.size
    instance.stored_name = portal_file_name(f"{instance.document_id}", checked.extension)
    instance.file.save(instance.stored_name, upload, save=False)


def _secretaries_addressed(document: Document) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.SECRETARY,
            is_active=True,
            organization__in=expected_readers(document).values("pk"),
        ).order_by("pk")
    )


def _notify_published(document: Document) -> None:
    notify(
        recipients=_secretaries_addressed(document),
        kind=DOCUMENT_PUBLISHED,
        title=_("New document: %(title)s") % {"title": document},
        body=_("Read it and mark it read.")
        if not document.reply_required
        else _("Read it and send the reply it asks for."),
        url=reverse("alliance:document_detail", args=[document.pk]),
        key=f"{DOCUMENT_PUBLISHED}:{document.pk}",
    )


@transaction.atomic
def document_publish(
    *,
    acting_user,
    title: str,
    number: str = "",
    issuer: str,
    issued_on: datetime.date,
    category: str,
    body: str = "",
    to_all: bool = True,
    recipients: Sequence[Organization] = (),
    reply_required: bool = False,
    reply_by: datetime.date | None = None,
    attachments: Sequence = (),
) -> Document:
    """Publish a document to all organizations or to the subtrees of `recipients`."""
    _require(acting_user.is_bureau_staff, _("Only bureau staff publish documents."))
    recipients = list(recipients)
    _require(
        to_all or recipients,
        _("Choose the organizations the document is addressed to, or address it to all."),
        field="recipients",
    )
    document = Document(
        title=title.strip(),
        number=number.strip(),
        issuer=issuer.strip(),
        issued_on=issued_on,
        category=category,
        body=body.strip(),
        to_all=to_all,
        reply_required=reply_required,
        reply_by=reply_by if reply_required else None,
        published_by=acting_user,
    )
    _full_clean(document)
    save_with_action(document, "alliance.document.publish")
    if not to_all:
        document.recipients.set(recipients)
    for upload in attachments:
        document_attachment_add(document=document, upload=upload, acting_user=acting_user)
    transaction.on_commit(lambda: _notify_published(document))
    return document


@transaction.atomic
def document_attachment_add(*, document: Document, upload, acting_user) -> DocumentAttachment:
    _require(acting_user.is_bureau_staff, _("Only bureau staff attach files to documents."))
    checked = _checked(upload)
    attachment = DocumentAttachment(document=document, uploaded_by=acting_user)
    _store(attachment, upload, checked)
    _full_clean(attachment)
    attachment.save()
    return attachment


def _own_addressed_organization(document: Document, acting_user) -> Organization:
    _require(
        acting_user.is_secretary and acting_user.organization_id,
        _("Only the secretary of an addressed organization marks a document read."),
    )
    organization = acting_user.organization
    _require(
        document_addresses(document, organization),
        _("This document is not addressed to your organization."),
    )
    return organization


@transaction.atomic
def document_mark_read(*, document: Document, acting_user) -> DocumentRead:
    """已阅 for the secretary's organization; marking it again changes nothing."""
    organization = _own_addressed_organization(document, acting_user)
    read, _created = DocumentRead.objects.get_or_create(
        document=document, organization=organization, defaults={"read_by": acting_user}
    )
    return read


@transaction.atomic
def document_reply(*, document: Document, acting_user, text: str, upload=None) -> DocumentReply:
    """回执: the organization's reply (once), which also marks the document read."""
    organization = _own_addressed_organization(document, acting_user)
    _require(document.reply_required, _("This document does not ask for a reply."))
    _require(bool(text and text.strip()), _("Write the reply."), field="text")
    _require(
        not DocumentReply.objects.filter(document=document, organization=organization).exists(),
        _("Your organization has already replied to this document."),
    )
    reply = DocumentReply(
        document=document, organization=organization, text=text.strip(), replied_by=acting_user
    )
    if upload is not None:
        _store(reply, upload, _checked(upload))
    _full_clean(reply, validate_constraints=False)
    try:
        with transaction.atomic():
            save_with_action(reply, "alliance.documentreply.create")
    except IntegrityError as exc:
        raise DocumentError(_("Your organization has already replied to this document.")) from exc
    DocumentRead.objects.get_or_create(
        document=document, organization=organization, defaults={"read_by": acting_user}
    )
    return reply
