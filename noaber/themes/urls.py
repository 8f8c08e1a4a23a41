from django.urls import path

from . import views

app_name = "themes"
urlpatterns = [
    path("", views.theme_list, name="list"),
    path("<int:pk>/bewerken/", views.theme_edit, name="edit"),
    path("prioriteiten/<int:pk>/bewerken/", views.priority_edit, name="priority_edit"),
    path("termijnen/", views.terms, name="terms"),
    path("termijnen/instellen/", views.term_set, name="term_set"),
    path("termijnen/<int:pk>/verwijderen/", views.term_remove, name="term_remove"),
    path("feestdagen/nieuw/", views.holiday_add, name="holiday_add"),
    path("feestdagen/<int:pk>/verwijderen/", views.holiday_remove, name="holiday_remove"),
]
