"""Root URLs. Each app mounts its own `urls.py` under its prefix; the 首页 is home's."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import auth_views as guard_views
from core import health as core_health
from core import notification_views
from core import views as core_views
from home import views as home_views

account_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("large-text/", core_views.toggle_large_text, name="toggle_large_text"),
    path("profile/", notification_views.ProfileView.as_view(), name="profile"),
    path("two-step/", guard_views.SecondFactorVerifyView.as_view(), name="otp_verify"),
    path("two-step/enrol/", guard_views.SecondFactorEnrolView.as_view(), name="otp_enrol"),
    path("two-step/manage/", guard_views.SecondFactorManageView.as_view(), name="otp_manage"),
    path("confirm-password/", guard_views.PasswordConfirmView.as_view(), name="reauth"),
    path("keep-alive/", guard_views.keep_alive, name="keep_alive"),
]

urlpatterns = [
    path("", home_views.HomeView.as_view(), name="home"),
    path("accounts/", include(account_patterns)),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("notifications/", include("core.notification_urls")),
    path("jobs/", include("core.job_urls")),
    path("audit/", include("core.audit_urls")),
    path("alliance/", include("alliance.urls")),
    path("branches/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("activities/", include("activities.urls")),
    path("venues/", include("venues.urls")),
    path("assessment/", include("assessment.urls")),
    path("reports/", include("home.urls")),
    path("admin/", admin.site.urls),
    path("healthz", core_health.healthz, name="healthz"),
]

handler404 = "core.views.page_not_found"
