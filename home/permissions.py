"""Who may read the 首页 and the reports (django-rules)."""

from __future__ import annotations

import rules

from core.permissions import is_bureau_staff, is_signed_in, is_viewer

rules.add_perm("home.view_home", is_signed_in)
rules.add_perm("home.view_reports", is_signed_in)
# The annual workbook holds the alliance-wide figures: bureau staff and viewers.
rules.add_perm("home.view_annual_report", is_bureau_staff | is_viewer)
