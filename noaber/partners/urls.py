from django.urls import path

from . import ketenkaart, views

app_name = "partners"
urlpatterns = [
    # Ketenkaart (noaber/partners/ketenkaart.py)
    path("ketenkaart/", ketenkaart.map_page, name="map"),
    path("ketenkaart/nieuw/", ketenkaart.partner_create, name="partner_create"),
    path("ketenkaart/<int:pk>/", ketenkaart.partner_detail, name="partner"),
    path("ketenkaart/<int:pk>/bewerken/", ketenkaart.partner_edit, name="partner_edit"),
    # What partners viewed (from the audit log)
    path("ketenkaart/inzage/", views.viewed, name="viewed"),
    # Sharing agreements
    path("convenanten/", views.agreement_list, name="agreements"),
    path("convenanten/nieuw/", views.agreement_create, name="agreement_create"),
    path("convenanten/<int:pk>/", views.agreement_detail, name="agreement"),
    path("convenanten/<int:pk>/bewerken/", views.agreement_edit, name="agreement_edit"),
    path("convenanten/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path(
        "convenanten/<int:pk>/document/<int:version>/",
        views.agreement_document_version,
        name="agreement_document_version",
    ),
]
