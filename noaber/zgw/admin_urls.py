"""The admin's ZGW page under /m/<CBS>/beheer/zgw/."""

from django.urls import path

from . import admin_views

app_name = "zgw_admin"

urlpatterns = [
    path("", admin_views.clients, name="clients"),
    path("catalogus/", admin_views.catalogue, name="catalogue"),
    path("<int:pk>/intrekken/", admin_views.revoke, name="revoke"),
]
