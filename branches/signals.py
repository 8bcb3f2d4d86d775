"""Signals the branches app sends to the apps above it (it imports none of them).

`organization_dissolved` is sent inside the dissolving transaction, not on commit: what the
apps above do in answer (the alliance ends the organization's membership) belongs to the same
write and must be undone with it if anything fails.
"""

from django.dispatch import Signal

# Sent with sender=Organization, organization=<the dissolved one>, dissolved_on=<date>,
# acting_user=<who dissolved it>.
organization_dissolved = Signal()
