from django.urls import path

from . import review

app_name = "access_review"
urlpatterns = [
    path("", review.report, name="report"),
]
