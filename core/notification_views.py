"""The inbox (/notifications/) and the profile page where a user chooses how they are reached
(/accounts/profile/, 我的设置). Everyone signed in has both, and sees only their own: another
user's notification is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, View

from core import notifications
from core.errors import ServiceError
from core.profile import profile_sections
from core.selectors import get_or_404
from core.services import user_update_contact_preferences
from core.views import ActionView, FormPageView, PortalPermissionMixin, add_service_error

PAGE_SIZE = 20


class InboxView(PortalPermissionMixin, ListView):
    """The user's notifications, newest first; ?show=unread for the unread ones only."""

    permission_required = "core.view_notification"
    template_name = "core/notifications/inbox.html"
    context_object_name = "notifications"
    paginate_by = PAGE_SIZE

    @cached_property
    def show_unread(self) -> bool:
        return self.request.GET.get("show") == "unread"

    def get_queryset(self):
        queryset = notifications.inbox_for(self.request.user)
        if self.show_unread:
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(show_unread=self.show_unread, **kwargs)


def _safe_target(request, url: str) -> str | None:
    """`url` when it leads into the portal itself, else None."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return None


class NotificationMixin:
    """The page's notification, read through the user's own inbox (404 for anyone else's)."""

    permission_required = "core.view_notification"

    def get_object(self):
        return get_or_404(notifications.inbox_for(self.request.user), self.kwargs["pk"])


class OpenView(NotificationMixin, PortalPermissionMixin, View):
    """The short link in a text message: marks the item read and opens its page."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        notification = notifications.mark_read(user=request.user, notification=self.object)
        target = _safe_target(request, notification.url) or reverse("notifications:inbox")
        return HttpResponseRedirect(target)


class ReadView(NotificationMixin, ActionView):
    """Marks the item read and goes to its page — or back, when it has none."""

    def post(self, request, *args, **kwargs):
        notification = notifications.mark_read(user=request.user, notification=self.object)
        target = (
            _safe_target(request, notification.url)
            or _safe_target(request, request.POST.get("next", ""))
            or reverse("notifications:inbox")
        )
        return HttpResponseRedirect(target)


class ReadAllView(ActionView):
    permission_required = "core.view_notification"

    def post(self, request, *args, **kwargs):
        count = notifications.mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications are marked as read."))
        target = _safe_target(request, request.POST.get("next", ""))
        return HttpResponseRedirect(target or reverse("notifications:inbox"))


class ProfileForm(forms.Form):
    email = forms.CharField(
        label=gettext_lazy("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("A mobile number (13912345678) or a landline (0951-1234567)."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    notify_by_email = forms.BooleanField(
        label=gettext_lazy("Also send my notifications by email"), required=False
    )
    notify_by_sms = forms.BooleanField(
        label=gettext_lazy("Also send my notifications by text message"),
        required=False,
        help_text=gettext_lazy("Needs a mobile phone number."),
    )


class ProfileView(FormPageView):
    """我的设置: how the portal reaches the user beside the inbox."""

    permission_required = "core.change_profile"
    form_class = ProfileForm
    title = gettext_lazy("My settings")
    submit_label = gettext_lazy("Save")
    template_name = "core/profile.html"

    def get_subtitle(self):
        return _("Every notification is in your inbox; choose where copies are also sent.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(profile_sections=profile_sections(self.request), **kwargs)

    def get_initial(self):
        user = self.request.user
        return {
            "email": user.email,
            "phone": user.phone,
            # Email is on by default for every account; without an address it reaches no one,
            # so the box starts empty rather than refusing a form the user did not touch.
            "notify_by_email": user.notify_by_email and bool(user.email),
            "notify_by_sms": user.notify_by_sms,
        }

    def get_cancel_url(self) -> str:
        return reverse("home")

    def form_valid(self, form):
        try:
            user_update_contact_preferences(
                user=self.request.user,
                acting_user=self.request.user,
                **form.cleaned_data,
            )
        except ServiceError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your settings are saved."))
        return HttpResponseRedirect(reverse("profile"))
