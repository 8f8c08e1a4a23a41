from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("nieuw/", views.signal_new, name="signal_new"),
    path("signalen/<int:pk>/", views.signal_detail, name="signal"),
    path("signalen/<int:pk>/bewerken/", views.signal_edit, name="edit"),
    path("signalen/<int:pk>/behandelaar/", views.signal_assign, name="assign"),
    path("signalen/<int:pk>/weging/", views.signal_weging, name="weging"),
    path("signalen/<int:pk>/privacytoets/", views.signal_check, name="check"),
    path("signalen/<int:pk>/bronnencheck/", views.signal_sources, name="sources"),
    path("signalen/<int:pk>/fase/", views.signal_phase, name="phase"),
    path("signalen/<int:pk>/betrokkene/", views.signal_subject, name="subject_add"),
    path("signalen/<int:pk>/verstrekking/", views.signal_disclose, name="disclose"),
    path("betrokkenen/<int:pk>/", views.subject_detail, name="subject"),
    path("meldingen/<int:pk>/registreren/", views.report_register, name="register_report"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/verzoeken/nieuw/", views.request_new, name="request_new"),
    path("privacy/verzoeken/<int:pk>/", views.request_detail, name="request"),
    path("privacy/verzoeken/<int:pk>/koppelen/", views.request_link, name="request_link"),
    path("privacy/betrokkenen/<int:pk>/vrijgeven/", views.subject_release, name="release"),
    path("privacy/betrokkenen/<int:pk>/inzage/", views.subject_export_view, name="export"),
    path("privacy/signalen/<int:pk>/bewaarplicht/", views.legal_hold, name="legal_hold"),
    path("privacy/betrokkenen/<int:pk>/", views.subject_rights, name="subject_rights"),
    path("bewaartermijnen/", views.retention, name="retention"),
]
