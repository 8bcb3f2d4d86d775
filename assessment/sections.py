"""The assessment section of the organization page (registered in AssessmentConfig.ready)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from assessment import selectors
from assessment.models import RectificationStatus, RoundState


def organization_section_context(request, organization) -> dict:
    """Finalized results and open rectifications of one organization (2 queries)."""
    user = request.user
    results = list(
        selectors.assessments_for(user)
        .filter(organization=organization, round__state=RoundState.FINALIZED)
        .order_by("-round__year", "-round__pk")[:5]
    )
    today = timezone.localdate()
    counts = (
        selectors.rectifications_for(user)
        .filter(inspection__organization=organization, status=RectificationStatus.OPEN)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)))
    )
    return {
        "assessment_results": results,
        "assessment_open_rectifications": counts["open"],
        "assessment_overdue_rectifications": counts["overdue"],
        "assessment_organization": organization,
    }
