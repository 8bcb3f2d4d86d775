"""core — the ground floor of the house: accounts, permissions, exporter, privacy, history.

It imports no app of the portal (import-linter checks it)."""
