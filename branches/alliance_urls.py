"""Alliance registry and annual targets, mounted under /alliance/ (namespace "alliance")."""

urlpatterns: list = []
