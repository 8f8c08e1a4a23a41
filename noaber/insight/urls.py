from django.urls import path

from . import views

app_name = "insight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("vergelijking/", views.comparison, name="comparison"),
    path("export.<str:fmt>", views.export, name="export"),
]
