from django.urls import path

from opsloop.portfolio import views

urlpatterns = [
    path("w/<slug:slug>/portfolio/", views.portfolio, name="portfolio"),
    path("w/<slug:slug>/portfolio/export.csv", views.portfolio_csv, name="portfolio_csv"),
]
