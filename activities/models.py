"""Models of the activities app."""
