"""Models of the venues app."""
