"""Reminders of community coordination (双清单、双认领): claims unanswered for 3 days or more,
to the side that answers them (the need's poster or the resource's provider), and open needs
about to expire, to the organization that posted them — registered into core.reminders from
AllianceConfig.ready."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Claim, ClaimState, Document, DocumentReply, Need, NeedState
from branches.models import Kind, Organization
from branches.selectors import secretaries_of
from core.models import Role, User
from core.reminders import Reminder, register, waiting_since_q

CLAIM_UNANSWERED = "claim-unanswered"
NEED_EXPIRING = "need-expiring"
UNANSWERED_DAYS = 3
EXPIRING_DAYS = 7


def speakers_for(organizations) -> dict[int, list[User]]:
    """organization id → the accounts that act for it in coordination (alliance.permissions
    .acts_for, bureau staff aside): the nearest secretaries (secretaries_of) and the community
    liaisons who speak for it — those of its own organization or one above it, and for a
    community party organization those of its community (2 queries)."""
    organizations = list({org.pk: org for org in organizations}.values())
    if not organizations:
        return {}
    result = secretaries_of(organizations)
    liaisons = list(
        User.objects.filter(is_active=True, role=Role.LIAISON)
        .select_related("organization")
        .order_by("pk")
    )
    for org in organizations:
        speakers = list(result.get(org.pk, []))
        for user in liaisons:
            own = user.organization
            if (own is not None and org.path.startswith(own.path)) or (
                org.kind == Kind.COMMUNITY_ORG
                and user.community_id
                and user.community_id == org.community_id
            ):
                speakers.append(user)
        result[org.pk] = speakers
    return result


def claims_unanswered(today: datetime.date) -> list[Reminder]:
    """Pending claims made `UNANSWERED_DAYS` days or more before `today` (3 queries)."""
    claims = list(
        Claim.objects.filter(
            waiting_since_q("claimed_at", today, UNANSWERED_DAYS), state=ClaimState.PENDING
        )
        .select_related(
            "need__posted_by_organization", "resource__organization", "claiming_organization"
        )
        .order_by("claimed_at", "pk")
    )
    if not claims:
        return []
    owners: dict[int, Organization] = {}
    for claim in claims:
        owner = claim.need.posted_by_organization if claim.need_id else claim.resource.organization
        owners[claim.pk] = owner
    speakers = speakers_for(owners.values())
    reminders = []
    for claim in claims:
        values = {
            "organization": claim.claiming_organization,
            "item": claim.item,
            "day": timezone.localdate(claim.claimed_at).isoformat(),
        }
        if claim.need_id:
            title = _("Claim awaiting your answer: %(organization)s claimed the need “%(item)s”")
        else:
            title = _(
                "Claim awaiting your answer: %(organization)s claimed the resource “%(item)s”"
            )
        reminders.append(
            Reminder(
                recipients=speakers[owners[claim.pk].pk],
                kind=CLAIM_UNANSWERED,
                key=f"{CLAIM_UNANSWERED}:{claim.pk}",
                title=title % values,
                body=_("Claimed on %(day)s and not answered yet: accept or decline it.") % values,
                url=reverse("alliance:claim_detail", args=[claim.pk]),
            )
        )
    return reminders


def needs_expiring(today: datetime.date) -> list[Reminder]:
    """Needs still open for claims whose wanted-by date is within `EXPIRING_DAYS` days
    (3 queries)."""
    needs = list(
        Need.objects.filter(
            state=NeedState.OPEN,
            wanted_by__gte=today,
            wanted_by__lte=today + datetime.timedelta(days=EXPIRING_DAYS),
        )
        .select_related("posted_by_organization")
        .order_by("wanted_by", "pk")
    )
    if not needs:
        return []
    speakers = speakers_for(need.posted_by_organization for need in needs)
    return [
        Reminder(
            recipients=speakers[need.posted_by_organization_id],
            kind=NEED_EXPIRING,
            key=f"{NEED_EXPIRING}:{need.pk}:{need.wanted_by:%Y-%m-%d}",
            title=_("Need about to expire: “%(need)s” (%(organization)s), wanted by %(day)s")
            % {
                "need": need,
                "organization": need.posted_by_organization,
                "day": need.wanted_by.isoformat(),
            },
            body=_(
                "Nobody has claimed it yet: look for members who could help, or withdraw it "
                "if it is no longer needed."
            ),
            url=reverse("alliance:need_detail", args=[need.pk]),
        )
        for need in needs
    ]


def register_reminders() -> None:
    register(
        CLAIM_UNANSWERED, gettext_lazy("Claims unanswered for 3 days or more"), claims_unanswered
    )
    register(NEED_EXPIRING, gettext_lazy("Needs about to expire"), needs_expiring)
    register(
        DOCUMENT_REPLY_DUE, gettext_lazy("Documents awaiting your reply"), document_replies_due
    )


# --- Documents (制度与通知) ----------------------------------------------------------------

DOCUMENT_REPLY_DUE = "document-reply-due"
REPLY_WAIT_DAYS = 3  # remind when the reply is due within 3 days, or 3 days after publishing


def document_replies_due(today: datetime.date) -> list[Reminder]:
    """Documents that ask for a reply, due within REPLY_WAIT_DAYS days (or, without a date,
    published REPLY_WAIT_DAYS days ago or more), to the secretaries of the addressed
    organizations that have not replied (3 queries whatever the number of documents)."""
    soon = today + datetime.timedelta(days=REPLY_WAIT_DAYS)
    documents = list(
        Document.objects.filter(reply_required=True)
        .filter(
            Q(reply_by__gte=today - datetime.timedelta(days=30), reply_by__lte=soon)
            | Q(
                reply_by__isnull=True,
                **{"published_at__lt": timezone.now() - datetime.timedelta(days=REPLY_WAIT_DAYS)},
            )
        )
        .prefetch_related("recipients")
        .order_by("pk")
    )
    if not documents:
        return []
    replied = set(
        DocumentReply.objects.filter(document__in=documents).values_list(
            "document_id", "organization_id"
        )
    )
    secretaries = list(
        User.objects.filter(is_active=True, role=Role.SECRETARY, organization__isnull=False)
        .select_related("organization")
        .order_by("pk")
    )
    reminders = []
    for document in documents:
        roots = [root.path for root in document.recipients.all()]
        by_organization: dict[int, list[User]] = {}
        for user in secretaries:
            organization = user.organization
            if organization.status != "active":
                continue
            if not document.to_all and not any(organization.path.startswith(r) for r in roots):
                continue
            if (document.pk, organization.pk) in replied:
                continue
            by_organization.setdefault(organization.pk, []).append(user)
        for organization_id, recipients in by_organization.items():
            values = {"document": document.title}
            if document.reply_by:
                values["day"] = document.reply_by.isoformat()
                title = _("Reply due by %(day)s: “%(document)s”") % values
            else:
                title = _("Reply awaited: “%(document)s”") % values
            reminders.append(
                Reminder(
                    recipients=recipients,
                    kind=DOCUMENT_REPLY_DUE,
                    key=f"{DOCUMENT_REPLY_DUE}:{document.pk}:{organization_id}",
                    title=title,
                    body=_("Read the document and send your organization's reply."),
                    url=reverse("alliance:document_detail", args=[document.pk]),
                )
            )
    return reminders
