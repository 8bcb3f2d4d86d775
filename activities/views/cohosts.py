"""Co-hosting requests (联办邀请): the organization asked to co-host an activity accepts or
declines it here; until it accepts, its members are neither listed nor marked."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from activities import selectors, services
from activities.forms import co_host_choices
from activities.services import ActivityError
from branches.selectors import search_organizations_among
from core.views import ActionView, PortalPermissionMixin, service_error_message
from core.widgets import search_response


class CohostRequestListView(PortalPermissionMixin, ListView):
    """The requests made to my organization (all of them for bureau staff), unanswered first."""

    permission_required = "activities.view_cohost_requests"
    template_name = "activities/cohost_requests.html"
    context_object_name = "requests"
    paginate_by = 25
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return selectors.cohost_requests_for(self.request.user)


class CohostAnswerView(ActionView):
    """Accept or decline one request (POST only); another organization's request is a 404."""

    permission_required = "activities.answer_cohost_request"

    def get_object(self):
        return selectors.get_cohost_request_for(self.request.user, self.kwargs["pk"])

    def post(self, request, pk, answer):
        link = self.object
        try:
            if answer == "accept":
                services.cohost_accept(link=link, acting_user=request.user)
                messages.success(
                    request,
                    _("Accepted: %(organization)s co-hosts “%(activity)s”.")
                    % {"organization": link.organization, "activity": link.activity},
                )
            elif answer == "decline":
                services.cohost_decline(link=link, acting_user=request.user)
                messages.success(
                    request,
                    _("Declined: %(organization)s does not co-host “%(activity)s”.")
                    % {"organization": link.organization, "activity": link.activity},
                )
            else:
                raise Http404
        except ActivityError as exc:
            messages.error(request, service_error_message(exc))
        return redirect("activities:cohost_requests")


class CohostSearchView(PortalPermissionMixin, View):
    """JSON for the co-host search fields: any active organization may be asked to co-host
    (the asking is a request its secretary answers), so the search is over all of them —
    names and numbers only, as the form's own choices (activities.forms.co_host_choices)."""

    permission_required = "activities.add_activity"
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = search_organizations_among(co_host_choices(), request.GET.get("q", ""))
        return search_response(
            rows, label=lambda org: f"{org.name}（{org.parent.name}）" if org.parent else org.name
        )
