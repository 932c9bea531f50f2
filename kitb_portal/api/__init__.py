"""The REST API's shared machinery (/api/v1/): token and session authentication, the permission
every endpoint starts from, cursor pagination, per-token throttling, error answers, schema views.

It imports no app: each app keeps its serializers and viewsets in ``<app>/api/``, scoped by that
app's selectors, and ``kitb_portal/urls.py`` (api_urls) registers them on the router.
"""
