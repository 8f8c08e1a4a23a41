"""URLs of the processing log outward (VNG Verwerkingenlogging, issue 22 point 3): the read
API's list operation, under the path its document gives it (`/verwerkte-objecten`)."""

from django.urls import path

from noaber.accounts.access import machine_client_view

from . import processing

urlpatterns = [
    path(
        "verwerkingen/v1/verwerkte-objecten",
        machine_client_view(processing.VerwerkteObjectenList.as_view()),
        name="verwerkte-objecten",
    ),
]
