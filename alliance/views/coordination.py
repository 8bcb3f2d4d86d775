"""Pages of community coordination: the needs and resources boards (双清单) and claims
(双认领), and their export."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from alliance import selectors, services
from alliance.forms import (
    DeclineForm,
    NeedClaimForm,
    NeedFilter,
    NeedForm,
    ResourceClaimForm,
    ResourceFilter,
    ResourceForm,
)
from alliance.services import CoordinationError
from alliance.views.base import _form_errors, _page
from core.job_views import deliver_export
from core.views import (
    ActionView,
    FormPageView,
    PortalPermissionMixin,
    add_service_error,
    service_error_message,
)

# --- What needs and resources share -------------------------------------------------------------


class _BoardView(PortalPermissionMixin, TemplateView):
    """A board (needs or resources): its filter and one page of items, newest first."""

    filterset_class = None

    def get_queryset(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        filterset = self.filterset_class(self.request.GET, queryset=self.get_queryset())
        page_obj = _page(self.request, filterset.qs.order_by("-created_at", "-pk"))
        return super().get_context_data(
            filter=filterset, page_obj=page_obj, year=timezone.localdate().year, **kwargs
        )


class _ItemCreateView(FormPageView):
    """Posting a need or offering a resource: the form takes the user, the service posts."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post_item(self, data):
        raise NotImplementedError

    def success_message(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            item = self.post_item(form.cleaned_data)
        except CoordinationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message())
        return redirect(item)


class _ItemDetailView(PortalPermissionMixin, TemplateView):
    """A need's or a resource's page: the item, its claims, the claim form when the user may
    claim it while it is open, whether the user may change (and so withdraw) it."""

    item_name = ""  # "need" or "resource": the context name, the claims' field, the rules'

    def get_state(self, item) -> str:
        return item.state

    def get_claim_form(self, item):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        user, item = self.request.user, self.object
        claims = selectors.claims_for(user).filter(**{self.item_name: item}).order_by("-claimed_at")
        is_open = self.get_state(item) in ("open", "claimed")
        may_claim = is_open and user.has_perm(f"alliance.claim_{self.item_name}", item)
        may_change = user.has_perm(f"alliance.change_{self.item_name}", item)
        return super().get_context_data(
            **{self.item_name: item},
            claims=claims,
            claim_form=self.get_claim_form(item) if may_claim else None,
            decline_form=DeclineForm(),
            may_change=may_change,
            may_withdraw=may_change and is_open,
            **kwargs,
        )


class _ItemClaimView(ActionView):
    """Claiming a need or a resource: the claim form, then the service; back to the item with
    the answer (or the form's errors) as a message."""

    def get_claim_form(self, item):
        raise NotImplementedError

    def claim(self, item, data) -> None:
        raise NotImplementedError

    def success_message(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        item = self.object
        form = self.get_claim_form(item)
        if form.is_valid():
            try:
                self.claim(item, form.cleaned_data)
            except CoordinationError as exc:
                messages.error(request, service_error_message(exc))
            else:
                messages.success(request, self.success_message())
        else:
            messages.error(request, _form_errors(form))
        return redirect(item)


class _ItemWithdrawView(ActionView):
    def withdraw(self, item) -> None:
        raise NotImplementedError

    def success_message(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        item = self.object
        try:
            self.withdraw(item)
        except CoordinationError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(request, self.success_message())
        return redirect(item)


# --- Needs -----------------------------------------------------------------------------------


class _NeedMixin:
    def get_object(self):
        return selectors.get_need_for(self.request.user, self.kwargs["pk"])


class NeedListView(_BoardView):
    permission_required = "alliance.view_need"
    template_name = "alliance/community/need_list.html"
    filterset_class = NeedFilter

    def get_queryset(self):
        return selectors.needs_for(self.request.user)


class NeedCreateView(_ItemCreateView):
    permission_required = "alliance.add_need"
    form_class = NeedForm

    def get_title(self) -> str:
        return _("Post a need")

    def get_cancel_url(self) -> str:
        return reverse("alliance:need_list")

    def post_item(self, data):
        return services.need_post(
            acting_user=self.request.user,
            organization=data["organization"],
            title=data["title"],
            description=data["description"],
            category=data["category"],
            wanted_by=data["wanted_by"],
            people_wanted=data["people_wanted"],
            skills=data["skills"],
        )

    def success_message(self) -> str:
        return _("The need is posted.")


class NeedDetailView(_NeedMixin, _ItemDetailView):
    permission_required = "alliance.view_need"
    template_name = "alliance/community/need_detail.html"
    item_name = "need"

    def get_state(self, item) -> str:
        return item.current_state

    def get_claim_form(self, item):
        return NeedClaimForm(user=self.request.user, need=item)

    def get_context_data(self, **kwargs):
        user = self.request.user
        suggestions = (
            selectors.suggest_members(user, self.object)
            if user.has_perm("alliance.suggest_members")
            else None
        )
        return super().get_context_data(suggestions=suggestions, **kwargs)


class NeedClaimView(_NeedMixin, _ItemClaimView):
    permission_required = "alliance.claim_need"

    def get_claim_form(self, item):
        return NeedClaimForm(self.request.POST, user=self.request.user, need=item)

    def claim(self, item, data) -> None:
        services.need_claim(
            need=item,
            organization=data["organization"],
            people=data["people"],
            note=data["note"],
            acting_user=self.request.user,
        )

    def success_message(self) -> str:
        return _("Your claim is sent; the community will answer it.")


class NeedWithdrawView(_NeedMixin, _ItemWithdrawView):
    permission_required = "alliance.change_need"

    def withdraw(self, item) -> None:
        services.need_withdraw(need=item, acting_user=self.request.user)

    def success_message(self) -> str:
        return _("The need is withdrawn.")


# --- Resources -------------------------------------------------------------------------------


class _ResourceMixin:
    def get_object(self):
        return selectors.get_resource_for(self.request.user, self.kwargs["pk"])


class ResourceListView(_BoardView):
    permission_required = "alliance.view_resource"
    template_name = "alliance/community/resource_list.html"
    filterset_class = ResourceFilter

    def get_queryset(self):
        return selectors.resources_for(self.request.user)


class ResourceCreateView(_ItemCreateView):
    permission_required = "alliance.add_resource"
    form_class = ResourceForm

    def get_title(self) -> str:
        return _("Offer a resource")

    def get_cancel_url(self) -> str:
        return reverse("alliance:resource_list")

    def post_item(self, data):
        return services.resource_post(acting_user=self.request.user, **data)

    def success_message(self) -> str:
        return _("The resource is posted.")


class ResourceDetailView(_ResourceMixin, _ItemDetailView):
    permission_required = "alliance.view_resource"
    template_name = "alliance/community/resource_detail.html"
    item_name = "resource"

    def get_claim_form(self, item):
        return ResourceClaimForm()


class ResourceClaimView(_ResourceMixin, _ItemClaimView):
    permission_required = "alliance.claim_resource"

    def get_claim_form(self, item):
        return ResourceClaimForm(self.request.POST)

    def claim(self, item, data) -> None:
        services.resource_claim(resource=item, acting_user=self.request.user, **data)

    def success_message(self) -> str:
        return _("Your claim is sent; the organization will answer it.")


class ResourceWithdrawView(_ResourceMixin, _ItemWithdrawView):
    permission_required = "alliance.change_resource"

    def withdraw(self, item) -> None:
        services.resource_withdraw(resource=item, acting_user=self.request.user)

    def success_message(self) -> str:
        return _("The resource is withdrawn.")


# --- Claims ----------------------------------------------------------------------------------


class ClaimInboxView(PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_claim_inbox"
    template_name = "alliance/community/claim_inbox.html"

    def get_context_data(self, **kwargs):
        incoming, outgoing = selectors.claim_inbox(self.request.user)
        return super().get_context_data(
            incoming=incoming.order_by("state", "-claimed_at")[:100],
            outgoing=outgoing.order_by("state", "-claimed_at")[:100],
            decline_form=DeclineForm(),
            **kwargs,
        )


class _ClaimMixin:
    def get_object(self):
        return selectors.get_claim_for(self.request.user, self.kwargs["pk"])


class ClaimDetailView(_ClaimMixin, PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_claim"
    template_name = "alliance/community/claim_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.object, claims=[self.object], **kwargs)


class _ClaimActionView(_ClaimMixin, ActionView):
    """Accept, decline or withdraw a claim, then back to the inbox (next=inbox) or the item."""

    def act(self, claim):
        raise NotImplementedError

    def success_message(self, claim) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        claim = self.object
        try:
            claim = self.act(claim)
        except CoordinationError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(request, self.success_message(claim))
        if request.POST.get("next") == "inbox":
            return redirect("alliance:claim_inbox")
        return redirect(claim.item)


class ClaimAcceptView(_ClaimActionView):
    permission_required = "alliance.decide_claim"

    def act(self, claim):
        return services.claim_accept(claim=claim, acting_user=self.request.user)

    def success_message(self, claim) -> str:
        return _("The claim is accepted; the activity “%(title)s” is planned for both sides.") % {
            "title": claim.activity.title
        }


class ClaimDeclineView(_ClaimActionView):
    permission_required = "alliance.decide_claim"

    def act(self, claim):
        form = DeclineForm(self.request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return services.claim_decline(claim=claim, acting_user=self.request.user, reason=reason)

    def success_message(self, claim) -> str:
        return _("The claim is declined.")


class ClaimWithdrawView(_ClaimActionView):
    permission_required = "alliance.withdraw_claim"

    def act(self, claim):
        return services.claim_withdraw(claim=claim, acting_user=self.request.user)

    def success_message(self, claim) -> str:
        return _("Your claim is withdrawn.")


# --- Export ----------------------------------------------------------------------------------


class CoordinationExportView(PortalPermissionMixin, View):
    permission_required = "alliance.export_coordination"

    def get(self, request, *args, **kwargs):
        # alliance.exports.coordination_export; a large workbook becomes a job.
        return deliver_export(request, "alliance.coordination")
