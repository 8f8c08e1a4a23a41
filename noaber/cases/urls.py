from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("overleggen/", views.meeting_list, name="meetings"),
    path("overleggen/<int:pk>/", views.meeting_detail, name="meeting"),
    path("partneragenda/", views.partner_agenda, name="partner_agenda"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/<str:step>/", views.case_step, name="step"),
]
