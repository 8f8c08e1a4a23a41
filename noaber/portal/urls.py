from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("partnerportaal/", views.portal, name="portal"),
    path("partnerportaal/casussen/<int:pk>/", views.portal_case, name="portal_case"),
    path("partnerportaal/casussen/<int:pk>/notitie/", views.portal_note, name="portal_note"),
    path("partnerportaal/casussen/<int:pk>/signaal/", views.portal_signal, name="portal_signal"),
    path("partnerportaal/taken/<int:pk>/afronden/", views.portal_task, name="portal_task"),
    # The advisor shares a case, or ends a share, from the case page.
    path("casussen/<int:pk>/delen/", views.share, name="share"),
    path("casussen/<int:pk>/delen/beeindigen/", views.unshare, name="unshare"),
]
