"""/alliance/ (namespace "alliance"): the landing page, the registry and annual targets, the
needs and resources boards (双清单), claims (双认领), the mediation studios and the community
pages."""

from django.urls import path

from alliance.views import community, coordination, landing, mediation, registry

app_name = "alliance"
urlpatterns = [
    path("", landing.IndexView.as_view(), name="index"),
    path("registry/", registry.RegistryView.as_view(), name="registry"),
    path("registry/join/", registry.RegistryJoinView.as_view(), name="registry_join"),
    path("registry/<int:pk>/leave/", registry.RegistryLeaveView.as_view(), name="registry_leave"),
    path("targets/", registry.TargetsView.as_view(), name="targets"),
    path("targets/new/", registry.TargetEditView.as_view(), name="target_create"),
    path("targets/<int:year>/", registry.TargetEditView.as_view(), name="target_edit"),
    path("needs/", coordination.need_list, name="need_list"),
    path("needs/new/", coordination.need_create, name="need_create"),
    path("needs/<int:pk>/", coordination.need_detail, name="need_detail"),
    path("needs/<int:pk>/claim/", coordination.need_claim, name="need_claim"),
    path("needs/<int:pk>/withdraw/", coordination.need_withdraw, name="need_withdraw"),
    path("resources/", coordination.resource_list, name="resource_list"),
    path("resources/new/", coordination.resource_create, name="resource_create"),
    path("resources/<int:pk>/", coordination.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/claim/", coordination.resource_claim, name="resource_claim"),
    path("resources/<int:pk>/withdraw/", coordination.resource_withdraw, name="resource_withdraw"),
    path("claims/", coordination.claim_inbox, name="claim_inbox"),
    path("claims/<int:pk>/", coordination.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/accept/", coordination.claim_accept, name="claim_accept"),
    path("claims/<int:pk>/decline/", coordination.claim_decline, name="claim_decline"),
    path("claims/<int:pk>/withdraw/", coordination.claim_withdraw, name="claim_withdraw"),
    path("coordination/export/", coordination.coordination_export, name="coordination_export"),
    path("studios/", mediation.studio_list, name="studio_list"),
    path("studios/<int:pk>/", mediation.studio_detail, name="studio_detail"),
    path("studios/<int:pk>/shifts/new/", mediation.rota_shift_add, name="rota_shift_add"),
    path("studios/<int:pk>/cases/new/", mediation.case_add, name="case_add"),
    path("cases/<int:pk>/", mediation.case_detail, name="case_detail"),
    path("communities/<int:pk>/", community.community_detail, name="community"),
]
