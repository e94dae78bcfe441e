from django.contrib import admin
from django.urls import include, path

from opsloop.api import api
from opsloop.core.views import password_checks_limited

urlpatterns = [
    path("api/v1/", api.urls),
    # The admin's own login checks passwords too: the same limits as the login form.
    path("admin/login/", password_checks_limited(admin.site.login)),
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
    path("", include("opsloop.portfolio.urls")),
    path("", include("opsloop.dashboards.urls")),
    path("", include("opsloop.decisions.urls")),
    path("", include("opsloop.reports.urls")),
    path("", include("opsloop.channels.urls")),
    path("", include("opsloop.content.urls")),
    path("", include("opsloop.partners.urls")),
    path("", include("opsloop.money.urls")),
    path("", include("opsloop.money.results_urls")),
    path("", include("opsloop.blueprints.urls")),
    path("", include("opsloop.events.ingest_urls")),
]
