from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("vernietigingslijsten/<int:pk>/", views.destruction_list, name="list"),
    path("casussen/<int:pk>/", views.case_archive, name="case"),
]
