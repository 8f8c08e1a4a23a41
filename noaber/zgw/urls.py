"""The ZGW APIs under /api/zgw/: the Catalogi API 1.3 and Zaken API 1.5 subsets (read-only)."""

from django.urls import path

from noaber.accounts.access import machine_client_view

from . import urls_processing, views, zaken_views

app_name = "zgw"

# (API, plural, singular, list view, detail view): a list and a detail per resource.
RESOURCES = (
    ("catalogi", "catalogussen", "catalogus", views.CatalogusList, views.CatalogusDetail),
    ("catalogi", "zaaktypen", "zaaktype", views.ZaaktypeList, views.ZaaktypeDetail),
    ("catalogi", "statustypen", "statustype", views.StatustypeList, views.StatustypeDetail),
    (
        "catalogi",
        "resultaattypen",
        "resultaattype",
        views.ResultaattypeList,
        views.ResultaattypeDetail,
    ),
    ("catalogi", "roltypen", "roltype", views.RoltypeList, views.RoltypeDetail),
    ("zaken", "zaken", "zaak", zaken_views.ZaakList, zaken_views.ZaakDetail),
    ("zaken", "statussen", "status", zaken_views.StatusList, zaken_views.StatusDetail),
    ("zaken", "resultaten", "resultaat", zaken_views.ResultaatList, zaken_views.ResultaatDetail),
    ("zaken", "rollen", "rol", zaken_views.RolList, zaken_views.RolDetail),
    (
        "zaken",
        "zaakobjecten",
        "zaakobject",
        zaken_views.ZaakobjectList,
        zaken_views.ZaakobjectDetail,
    ),
)

urlpatterns = [
    path(
        "zaken/v1/zaken/_zoek",
        machine_client_view(zaken_views.ZaakZoek.as_view(), methods=("POST",)),
        name="zaken_zoek",
    )
]
for api, plural, singular, list_view, detail_view in RESOURCES:
    urlpatterns += [
        path(f"{api}/v1/{plural}", machine_client_view(list_view.as_view()), name=plural),
        # Any segment: one that is no UUID still gets ZGW's 404 (ZgwView.dispatch).
        path(
            f"{api}/v1/{plural}/<str:uuid>",
            machine_client_view(detail_view.as_view()),
            name=singular,
        ),
    ]

# The processing log outward (VNG Verwerkingenlogging).
urlpatterns += urls_processing.urlpatterns
