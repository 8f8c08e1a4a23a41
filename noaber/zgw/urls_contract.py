"""The index of every API (/api/) and the served ZGW documents (/api/schema/<family>/), one
route per ZGW API whose document is committed in noaber/zgw/oas/. See docs/api.md."""

from django.urls import path

from . import contract, contract_views

urlpatterns = [
    path("api/", contract_views.index, name="api-index"),
    path("api/index.json", contract_views.index_json, name="api-index-json"),
] + [
    path(
        f"api/schema/{family.key}/",
        contract_views.zgw_schema,
        {"key": family.key},
        name=f"api-schema-{family.key}",
    )
    for family in contract.available_families()
]
