"""The ZGW APIs under /api/zgw/: the Catalogi API 1.3 and Zaken API 1.5 subsets (read-only)."""

from django.urls import path

from noaber.accounts.access import machine_client_view

from . import urls_processing, views, zaken_views

app_name = "zgw"

urlpatterns = [
    path(
        "catalogi/v1/catalogussen",
        machine_client_view(views.CatalogusList.as_view()),
        name="catalogussen",
    ),
    path(
        "catalogi/v1/catalogussen/<str:uuid>",
        machine_client_view(views.CatalogusDetail.as_view()),
        name="catalogus",
    ),
    path(
        "catalogi/v1/zaaktypen", machine_client_view(views.ZaaktypeList.as_view()), name="zaaktypen"
    ),
    path(
        "catalogi/v1/zaaktypen/<str:uuid>",
        machine_client_view(views.ZaaktypeDetail.as_view()),
        name="zaaktype",
    ),
    path(
        "catalogi/v1/statustypen",
        machine_client_view(views.StatustypeList.as_view()),
        name="statustypen",
    ),
    path(
        "catalogi/v1/statustypen/<str:uuid>",
        machine_client_view(views.StatustypeDetail.as_view()),
        name="statustype",
    ),
    path(
        "catalogi/v1/resultaattypen",
        machine_client_view(views.ResultaattypeList.as_view()),
        name="resultaattypen",
    ),
    path(
        "catalogi/v1/resultaattypen/<str:uuid>",
        machine_client_view(views.ResultaattypeDetail.as_view()),
        name="resultaattype",
    ),
    path("catalogi/v1/roltypen", machine_client_view(views.RoltypeList.as_view()), name="roltypen"),
    path(
        "catalogi/v1/roltypen/<str:uuid>",
        machine_client_view(views.RoltypeDetail.as_view()),
        name="roltype",
    ),
]

ZAKEN = (
    ("zaken", "zaak", zaken_views.ZaakList, zaken_views.ZaakDetail),
    ("statussen", "status", zaken_views.StatusList, zaken_views.StatusDetail),
    ("resultaten", "resultaat", zaken_views.ResultaatList, zaken_views.ResultaatDetail),
    ("rollen", "rol", zaken_views.RolList, zaken_views.RolDetail),
    ("zaakobjecten", "zaakobject", zaken_views.ZaakobjectList, zaken_views.ZaakobjectDetail),
)

urlpatterns += [
    path(
        "zaken/v1/zaken/_zoek",
        machine_client_view(zaken_views.ZaakZoek.as_view(), methods=("POST",)),
        name="zaken_zoek",
    )
]
for plural, singular, list_view, detail_view in ZAKEN:
    urlpatterns += [
        path(f"zaken/v1/{plural}", machine_client_view(list_view.as_view()), name=plural),
        path(
            f"zaken/v1/{plural}/<str:uuid>",
            machine_client_view(detail_view.as_view()),
            name=singular,
        ),
    ]

# The processing log outward (VNG Verwerkingenlogging).
urlpatterns += urls_processing.urlpatterns
