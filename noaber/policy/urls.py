from django.urls import path

from . import report_views, views

app_name = "policy"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("uitvoering/", views.board, name="board"),
    path("acties/nieuw/", views.action_create, name="action_create"),
    path("acties/<int:pk>/", views.action_detail, name="action"),
    path("acties/<int:pk>/voortgang/", views.action_note, name="action_note"),
    path("activiteiten/", views.activities, name="activities"),
    path("activiteiten/nieuw/", views.activity_create, name="activity_create"),
    # The council report (noaber/policy/report_views.py)
    path("raadsrapportage/", report_views.report, name="report"),
    path("raadsrapportage.pdf", report_views.report_pdf, name="report_pdf"),
]
