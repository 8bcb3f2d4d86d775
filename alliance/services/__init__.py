"""Every write of the alliance, by sub-domain: the registry and annual targets (`registry`),
community coordination — needs, resources, claims, fulfilment (`coordination`) — and the
mediation studio (`mediation`). The names other code uses are re-exported here.

Importing this package (AllianceConfig.ready does) connects the receivers:
`registry._organization_dissolved` (branches.signals.organization_dissolved) and
`coordination._activity_held` (activities.signals.activity_held).
"""

from alliance.services.base import CoordinationError
from alliance.services.coordination import (
    ACTIVITY_HOURS,
    CATEGORY_ACTIVITY_TYPE,
    CATEGORY_BRAND,
    DEFAULT_BRAND,
    accepted_people,
    claim_accept,
    claim_decline,
    claim_withdraw,
    claims_sync_fulfilment,
    fulfil_for_activity,
    need_claim,
    need_post,
    need_withdraw,
    needs_expire,
    resource_claim,
    resource_post,
    resource_withdraw,
)
from alliance.services.documents import (
    DocumentError,
    document_attachment_add,
    document_mark_read,
    document_publish,
    document_reply,
)
from alliance.services.mediation import (
    mediation_case_record,
    rota_shift_add,
    studio_create,
    studio_update,
)
from alliance.services.registry import alliance_join, alliance_leave, annual_target_save

__all__ = [
    "ACTIVITY_HOURS",
    "CATEGORY_ACTIVITY_TYPE",
    "CATEGORY_BRAND",
    "DEFAULT_BRAND",
    "CoordinationError",
    "DocumentError",
    "accepted_people",
    "alliance_join",
    "alliance_leave",
    "annual_target_save",
    "claim_accept",
    "claim_decline",
    "claim_withdraw",
    "claims_sync_fulfilment",
    "document_attachment_add",
    "document_mark_read",
    "document_publish",
    "document_reply",
    "fulfil_for_activity",
    "mediation_case_record",
    "need_claim",
    "need_post",
    "need_withdraw",
    "needs_expire",
    "resource_claim",
    "resource_post",
    "resource_withdraw",
    "rota_shift_add",
    "studio_create",
    "studio_update",
]
