from django.urls import path

from . import branding

app_name = "branding"
urlpatterns = [
    path("huisstijl/", branding.edit, name="edit"),
    path("huisstijl.css", branding.stylesheet, name="stylesheet"),
    path("logo.png", branding.logo, name="logo"),
]
