"""The ground floor: accounts and roles, permission predicates and the one view adapter, the
exporter and its log, privacy masking, history helpers, i18n commands, middleware, context
processors and shared template tags. It imports no app of the portal."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Accounts and shared records")

    def ready(self) -> None:
        # rules' autodiscover imports `rules` modules only; the house name is permissions.py.
        # (auth_otp: its user_logged_in receiver starts the session's clocks.)
        from core import auth_otp, checks, history, permissions  # noqa: F401 (history names every record's action; checks registers the system checks)
