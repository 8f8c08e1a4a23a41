"""All URLs. Staff pages of a municipality live under /m/<CBS code>/ so every view knows,
from its URL, which municipality's data it touches and the access check can refuse early."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from noaber.accounts.access import public_view

municipality_urls = [
    path("themas/", include("noaber.themes.urls")),
    path("audit/", include("noaber.accounts.audit_urls")),
    path("register/", include("noaber.registry.urls")),
    # Before casusregie's URLs: the portal owns casussen/<id>/delen/ (sharing a case).
    path("", include("noaber.portal.urls")),
    path("casussen/", include("noaber.cases.urls")),
    path("", include("noaber.partners.urls")),
    path("toegangsreview/", include("noaber.accounts.review_urls")),
    path("veiligheidsbeeld/", include("noaber.insight.urls")),
    path("beleid/", include("noaber.policy.urls")),
    path("archief/", include("noaber.archive.urls")),
    path("zoeken/", include("noaber.search.urls")),
    path("", include("noaber.accounts.branding_urls")),
    path("beheer/", include("noaber.accounts.sign_in_urls")),
    path("beheer/zgw/", include("noaber.zgw.admin_urls")),
    path("privacy/verwerkingenlogging/", include("noaber.zgw.privacy_urls")),
]

urlpatterns = [
    path("", include("noaber.ui.urls")),
    path("", include("noaber.accounts.urls")),
    path(
        "api/schema/",
        public_view(["GET"], page=False)(SpectacularAPIView.as_view()),
        name="api-schema",
    ),
    # The index of every API and the ZGW APIs' served documents (docs/api.md).
    path("", include("noaber.zgw.urls_contract")),
    path("api/zgw/", include("noaber.zgw.urls")),
    path("m/<str:municipality>/", include(municipality_urls)),
    path("", include("noaber.intake.urls")),
]
