"""Pages under /assessment/, one module per sub-domain. Every page is a class view with
`PortalPermissionMixin`: fetch through selectors (404), ask the rule (403), call a service,
show a message."""

from assessment.views.base import IndexView
from assessment.views.inspections import (
    InspectionCreateView,
    InspectionDetailView,
    InspectionListView,
    RectificationDoneView,
    RectificationListView,
)
from assessment.views.rounds import (
    ResultFilter,
    ResultsExportView,
    ResultsView,
    RoundAssignView,
    RoundCreateView,
    RoundDetailView,
    RoundListView,
    RoundReopenView,
    RoundResultsView,
    RoundScopeView,
    RoundSheetView,
    RoundTransitionView,
    ThresholdsView,
)
from assessment.views.rubrics import (
    RubricCopyView,
    RubricDetailView,
    RubricDownloadView,
    RubricListView,
    RubricUploadView,
)
from assessment.views.scoring import (
    MyAssignmentsView,
    MySelfAssessmentView,
    ScoreCardView,
    ScoreView,
    SelfAssessView,
)

__all__ = [
    "IndexView",
    "InspectionCreateView",
    "InspectionDetailView",
    "InspectionListView",
    "MyAssignmentsView",
    "MySelfAssessmentView",
    "RectificationDoneView",
    "RectificationListView",
    "ResultFilter",
    "ResultsExportView",
    "ResultsView",
    "RoundAssignView",
    "RoundCreateView",
    "RoundDetailView",
    "RoundListView",
    "RoundReopenView",
    "RoundResultsView",
    "RoundScopeView",
    "RoundSheetView",
    "RoundTransitionView",
    "RubricCopyView",
    "RubricDetailView",
    "RubricDownloadView",
    "RubricListView",
    "RubricUploadView",
    "ScoreCardView",
    "ScoreView",
    "SelfAssessView",
    "ThresholdsView",
]
