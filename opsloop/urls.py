from django.contrib import admin
from django.urls import include, path

from opsloop.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("opsloop.core.urls")),
    path("", include("opsloop.work.urls")),
    path("", include("opsloop.inbox.urls")),
    path("", include("opsloop.collab.urls")),
    path("", include("opsloop.meetings.urls")),
    path("", include("opsloop.files.urls")),
    path("", include("opsloop.planning.urls")),
    path("", include("opsloop.capacity.urls")),
    path("", include("opsloop.progress.urls")),
    path("", include("opsloop.events.urls")),
    path("", include("opsloop.insights.urls")),
    path("", include("opsloop.goals.urls")),
    path("", include("opsloop.dashboards.urls")),
    path("", include("opsloop.events.ingest_urls")),
]
