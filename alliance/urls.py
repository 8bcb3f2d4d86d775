"""/alliance/ (namespace "alliance"): the landing page, the registry and annual targets, the
needs and resources boards (双清单), claims (双认领), the mediation studios and the community
pages."""

from django.urls import path

from alliance import views

app_name = "alliance"
urlpatterns = [
    path("registry/", views.RegistryView.as_view(), name="registry"),
    path("registry/join/", views.RegistryJoinView.as_view(), name="registry_join"),
    path("registry/<int:pk>/leave/", views.RegistryLeaveView.as_view(), name="registry_leave"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("targets/new/", views.TargetEditView.as_view(), name="target_create"),
    path("targets/<int:year>/", views.TargetEditView.as_view(), name="target_edit"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/claim/", views.need_claim, name="need_claim"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/claim/", views.resource_claim, name="resource_claim"),
    path("resources/<int:pk>/withdraw/", views.resource_withdraw, name="resource_withdraw"),
    path("claims/", views.claim_inbox, name="claim_inbox"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/accept/", views.claim_accept, name="claim_accept"),
    path("claims/<int:pk>/decline/", views.claim_decline, name="claim_decline"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("coordination/export/", views.coordination_export, name="coordination_export"),
    path("studios/", views.studio_list, name="studio_list"),
    path("studios/<int:pk>/", views.studio_detail, name="studio_detail"),
    path("studios/<int:pk>/shifts/new/", views.rota_shift_add, name="rota_shift_add"),
    path("studios/<int:pk>/cases/new/", views.case_add, name="case_add"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("communities/<int:pk>/", views.community_detail, name="community"),
]
