"""Routes of the ingestion endpoints, from ingest.ROUTES (the WSGI fast path reads the
same table): Segment's /v1/<call> and PostHog's /batch/, /capture/, /e/, /i/v0/e/, each
with and without the trailing slash."""

from django.urls import path

from opsloop.events import ingest_views
from opsloop.events.ingest import ROUTES

urlpatterns = [
    path(route.lstrip("/"), ingest_views.ingest, {"dialect": dialect, "call": call})
    for route, (dialect, call) in sorted(ROUTES.items())
]
