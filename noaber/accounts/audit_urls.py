from django.urls import path

from . import audit_log

# Keeps the URL names of the audit log ("audit:list") where they always were.
app_name = "audit"
urlpatterns = [path("", audit_log.event_list, name="list")]
