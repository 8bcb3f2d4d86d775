"""Login throttling on top of django-axes: the client's real address behind the configured
proxies, and a limit per lockout combination (user name + address: AXES_FAILURE_LIMIT;
address alone, for password spraying: AXES_IP_FAILURE_LIMIT).

axes compares one number — the largest failure count over the combinations in
AXES_LOCKOUT_PARAMETERS — with one limit. `ThrottleHandler.get_failures` answers in units of
that limit: the user name + address count, or the limit itself once any combination has
reached its own limit.
"""

from __future__ import annotations

import ipaddress
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _trusted(remote_addr: str) -> bool:
    prefixes = settings.AXES_IPWARE_PROXY_TRUSTED_IPS
    return not prefixes or any(remote_addr.startswith(prefix) for prefix in prefixes)


def client_ip(request: HttpRequest) -> str | None:
    """The address a login attempt came from (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR unless AXES_IPWARE_PROXY_COUNT proxies stand in front of the portal: each of
    them appends the address it received the request from to X-Forwarded-For, so the last
    `count` entries are written by our proxies and the entry `count` places from the end is
    the client as the outermost proxy saw it. Whatever a client puts in the header itself
    stays to the left of it and is ignored."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    count = settings.AXES_IPWARE_PROXY_COUNT
    if count <= 0 or not _trusted(remote_addr):
        return remote_addr or None
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        logger.warning(
            "X-Forwarded-For has %d entries, AXES_IPWARE_PROXY_COUNT is %d: using REMOTE_ADDR",
            len(forwarded),
            count,
        )
        return remote_addr or None
    return _valid_ip(forwarded[-count]) or remote_addr or None


def _combination_limit(parameter, default: int) -> int:
    if parameter == "ip_address" or parameter == ["ip_address"]:
        return settings.AXES_IP_FAILURE_LIMIT
    return default


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit for each lockout combination."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        counted = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own_limit = _combination_limit(parameter, limit)
            if failures >= own_limit:
                return max(failures, limit)
            if own_limit == limit:
                counted = max(counted, failures)
        return counted
