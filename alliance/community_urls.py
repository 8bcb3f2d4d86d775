"""Community coordination, mounted under /alliance/ (namespace "alliance")."""

urlpatterns: list = []
