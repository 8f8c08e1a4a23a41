from django.urls import path

from . import my_work, views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("m/<str:municipality>/", views.dashboard, name="dashboard"),
    path("m/<str:municipality>/mijn-werk/", my_work.my_work, name="my_work"),
]
