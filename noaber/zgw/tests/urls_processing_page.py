"""Noaber's URLs with the privacy officer's page of the processing log mounted where
noaber/urls.py is to mount it (until it does; then these are just Noaber's URLs)."""

from django.urls import NoReverseMatch, include, path, reverse

from noaber.urls import urlpatterns as noaber_urlpatterns

try:
    reverse("zgw_processing:page", args=["GM1774"], urlconf="noaber.urls")
    urlpatterns = noaber_urlpatterns
except NoReverseMatch:
    urlpatterns = [
        path(
            "m/<str:municipality>/privacy/verwerkingenlogging/",
            include("noaber.zgw.privacy_urls"),
        ),
        *noaber_urlpatterns,
    ]
