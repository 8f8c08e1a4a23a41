from django.urls import path

from . import views

app_name = "themes"
urlpatterns = [
    path("", views.theme_list, name="list"),
    path("<int:pk>/bewerken/", views.theme_edit, name="edit"),
    path("prioriteiten/<int:pk>/bewerken/", views.priority_edit, name="priority_edit"),
]
