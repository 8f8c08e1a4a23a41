from django.urls import path

from . import my_tasks, teams, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("overleggen/", views.meeting_list, name="meetings"),
    path("overleggen/<int:pk>/", views.meeting_detail, name="meeting"),
    path("overleggen/<int:pk>/<str:step>/", views.meeting_step, name="meeting_step"),
    path(
        "overleggen/<int:pk>/punten/<int:item>/<str:step>/",
        views.meeting_step,
        name="meeting_item_step",
    ),
    path("partneragenda/", views.partner_agenda, name="partner_agenda"),
    path("mijn-taken/", my_tasks.my_tasks, name="my_tasks"),
    path("mijn-taken/afronden/", my_tasks.complete, name="my_task_complete"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/nieuw/", teams.team_edit, name="team_new"),
    path("teams/<int:pk>/", teams.team_edit, name="team_edit"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/behandelaar/", views.case_assign, name="assign"),
    path("<int:pk>/taken/<int:task>/afronden/", views.task_complete, name="task_complete"),
    # One page per step (status, note, task, intervention, close, reopen): GET the form,
    # POST it.
    path("<int:pk>/<str:step>/", views.case_step, name="step"),
]
