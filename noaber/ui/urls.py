from django.urls import path

from . import views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("health", views.health, name="health"),
    path("m/<str:municipality>/", views.dashboard, name="dashboard"),
]
