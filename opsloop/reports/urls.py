from django.urls import path

from opsloop.reports import views

urlpatterns = [
    path("w/<slug:slug>/reports/", views.reports, name="reports"),
    path("w/<slug:slug>/reports/preview/", views.report_preview, name="report_preview"),
    path(
        "w/<slug:slug>/reports/templates/<int:template_id>/",
        views.report_template,
        name="report_template",
    ),
    path("w/<slug:slug>/reports/<int:report_id>/", views.report, name="report"),
    path(
        "w/<slug:slug>/reports/<int:report_id>/report.md",
        views.report_markdown,
        name="report_markdown",
    ),
    path("w/<slug:slug>/reports/<int:report_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path(
        "w/<slug:slug>/reports/<int:report_id>/report.xlsx",
        views.report_xlsx,
        name="report_xlsx",
    ),
    path("w/<slug:slug>/p/<str:key>/reports/", views.project_reports, name="project_reports"),
]
