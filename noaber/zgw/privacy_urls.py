"""The privacy officer's page of the processing log outward, under
/m/<CBS>/privacy/verwerkingenlogging/ (included by noaber/urls.py)."""

from django.urls import path

from . import processing_views

app_name = "zgw_processing"

urlpatterns = [
    path("", processing_views.processing_log, name="page"),
    path("vrijgeven/", processing_views.release, name="release"),
]
