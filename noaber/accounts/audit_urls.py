from django.urls import path

from . import audit_log, processing_register

# Keeps the URL names of the audit log ("audit:list") where they always were.
app_name = "audit"
urlpatterns = [
    path("", audit_log.event_list, name="list"),
    # The register of processing activities (AVG art. 30) that every event points into.
    path("verwerkingsregister/", processing_register.register_page, name="register"),
    path(
        "verwerkingsregister/<slug:code>/wijzigen/",
        processing_register.edit_activity,
        name="register_edit",
    ),
]
