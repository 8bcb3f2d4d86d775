"""/alliance/ (namespace "alliance"): the landing page, the registry and annual targets, the
needs and resources boards (双清单), claims (双认领), the mediation studios and the community
pages."""

from django.urls import path

from alliance.views import community, coordination, documents, landing, mediation, registry

app_name = "alliance"
urlpatterns = [
    path("", landing.IndexView.as_view(), name="index"),
    path("registry/", registry.RegistryView.as_view(), name="registry"),
    path("registry/join/", registry.RegistryJoinView.as_view(), name="registry_join"),
    path("registry/<int:pk>/leave/", registry.RegistryLeaveView.as_view(), name="registry_leave"),
    path("targets/", registry.TargetsView.as_view(), name="targets"),
    path("targets/new/", registry.TargetEditView.as_view(), name="target_create"),
    path("targets/<int:year>/", registry.TargetEditView.as_view(), name="target_edit"),
    path("needs/", coordination.NeedListView.as_view(), name="need_list"),
    path("needs/new/", coordination.NeedCreateView.as_view(), name="need_create"),
    path("needs/<int:pk>/", coordination.NeedDetailView.as_view(), name="need_detail"),
    path("needs/<int:pk>/claim/", coordination.NeedClaimView.as_view(), name="need_claim"),
    path("needs/<int:pk>/withdraw/", coordination.NeedWithdrawView.as_view(), name="need_withdraw"),
    path("resources/", coordination.ResourceListView.as_view(), name="resource_list"),
    path("resources/new/", coordination.ResourceCreateView.as_view(), name="resource_create"),
    path("resources/<int:pk>/", coordination.ResourceDetailView.as_view(), name="resource_detail"),
    path(
        "resources/<int:pk>/claim/", coordination.ResourceClaimView.as_view(), name="resource_claim"
    ),
    path(
        "resources/<int:pk>/withdraw/",
        coordination.ResourceWithdrawView.as_view(),
        name="resource_withdraw",
    ),
    path("claims/", coordination.ClaimInboxView.as_view(), name="claim_inbox"),
    path("claims/<int:pk>/", coordination.ClaimDetailView.as_view(), name="claim_detail"),
    path("claims/<int:pk>/accept/", coordination.ClaimAcceptView.as_view(), name="claim_accept"),
    path("claims/<int:pk>/decline/", coordination.ClaimDeclineView.as_view(), name="claim_decline"),
    path(
        "claims/<int:pk>/withdraw/", coordination.ClaimWithdrawView.as_view(), name="claim_withdraw"
    ),
    path(
        "coordination/export/",
        coordination.CoordinationExportView.as_view(),
        name="coordination_export",
    ),
    path("studios/", mediation.StudioListView.as_view(), name="studio_list"),
    path("studios/<int:pk>/", mediation.StudioDetailView.as_view(), name="studio_detail"),
    path("studios/new/", mediation.StudioCreateView.as_view(), name="studio_create"),
    path("studios/<int:pk>/edit/", mediation.StudioEditView.as_view(), name="studio_edit"),
    path(
        "studios/mediators/search/",
        mediation.MediatorSearchView.as_view(),
        name="mediator_search",
    ),
    path(
        "studios/<int:pk>/shifts/new/", mediation.RotaShiftAddView.as_view(), name="rota_shift_add"
    ),
    path("studios/<int:pk>/cases/new/", mediation.CaseAddView.as_view(), name="case_add"),
    path("cases/<int:pk>/", mediation.CaseDetailView.as_view(), name="case_detail"),
    path("communities/<int:pk>/", community.CommunityDetailView.as_view(), name="community"),
    path("documents/", documents.DocumentListView.as_view(), name="document_list"),
    path("documents/new/", documents.DocumentCreateView.as_view(), name="document_create"),
    path("documents/<int:pk>/", documents.DocumentDetailView.as_view(), name="document_detail"),
    path(
        "documents/<int:pk>/readers/",
        documents.DocumentReadersView.as_view(),
        name="document_readers",
    ),
    path(
        "documents/<int:pk>/read/", documents.DocumentMarkReadView.as_view(), name="document_read"
    ),
    path("documents/<int:pk>/reply/", documents.DocumentReplyView.as_view(), name="document_reply"),
    path(
        "documents/<int:pk>/attachments/new/",
        documents.DocumentAttachmentAddView.as_view(),
        name="document_attachment_add",
    ),
    path(
        "documents/files/<int:pk>/",
        documents.DocumentAttachmentDownloadView.as_view(),
        name="document_attachment",
    ),
    path(
        "documents/replies/<int:pk>/file/",
        documents.DocumentReplyDownloadView.as_view(),
        name="document_reply_file",
    ),
]
