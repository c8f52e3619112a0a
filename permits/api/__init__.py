"""The permits REST API under ``/api/v1/`` (API.md): ``serializers`` parse and present,
``filters`` read the list query strings, ``viewsets`` call the services, ``urls`` registers them."""
