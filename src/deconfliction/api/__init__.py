"""The HTTP API (FastAPI): JSON resources with GeoJSON geometry, bearer tokens, live push.

``create_app`` builds the application around a :class:`~deconfliction.service.coordinator.Coordinator`;
``routes`` holds one module per resource; ``errors`` maps the domain's exceptions to HTTP
statuses in one place.
"""
