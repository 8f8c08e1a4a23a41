from django.urls import path

from . import provider_admin

app_name = "sign_in"
urlpatterns = [
    path("inloggen/", provider_admin.mappings, name="mappings"),
    path(
        "inloggen/koppelingen/<int:pk>/verwijderen/",
        provider_admin.mapping_remove,
        name="mapping_remove",
    ),
]
