from django.urls import path

from . import views

app_name = "insight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("vergelijking/", views.comparison, name="comparison"),
    path("export.<str:fmt>", views.export, name="export"),
    path("kaart/", views.area_map, name="map"),
    path("pieken/", views.alert_list, name="alerts"),
    path("pieken/<int:pk>/", views.alert_detail, name="alert"),
    path("pieken/<int:pk>/afhandelen/", views.alert_handle, name="alert_handle"),
]
