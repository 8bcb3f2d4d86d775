"""config — settings, root URLs and the wsgi/asgi entry points (no models, no views)."""
