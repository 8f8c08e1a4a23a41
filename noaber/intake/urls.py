from django.urls import include, path

from . import api, standard_texts, views

app_name = "intake"

# Public pages, under /melden/.
public_urls = [
    path("", views.choose_municipality, name="choose"),
    path("volgen/", views.follow_up_start, name="follow_up_start"),
    path("volgen/melding/", views.follow_up, name="follow_up"),
    path("volgen/afmelden/", views.follow_up_end, name="follow_up_end"),
    path("<str:municipality>/", views.report_form, name="report"),
    path("<str:municipality>/kaart.geojson", views.map_geometry, name="map_geometry"),
]

# Staff pages, under /m/<municipality>/ like every staff page.
municipality_urls = [
    path("meldingen/", views.inbox, name="inbox"),
    path("meldingen/<int:pk>/", views.report_detail, name="detail"),
    path("meldingen/<int:pk>/status/", views.report_status, name="status"),
    path("meldingen/<int:pk>/bericht/", views.report_message, name="message"),
    path("meldingen/<int:pk>/doorsturen/", views.report_refer, name="refer"),
    path("meldingen/<int:pk>/behandelaar/", views.report_assign, name="assign"),
    path(
        "meldingen/<int:pk>/bijlagen/<int:attachment>/",
        views.attachment_download,
        name="attachment",
    ),
    path("niet-pluis/", views.internal_form, name="internal"),
    path("niet-pluis/mijn/", views.my_reports, name="mine"),
    path("sjablonen/", standard_texts.standard_text_list, name="standard_texts"),
    path("sjablonen/nieuw/", standard_texts.standard_text_edit, name="standard_text_new"),
    path("sjablonen/<int:pk>/", standard_texts.standard_text_edit, name="standard_text_edit"),
    path("partnersleutels/", views.partner_tokens, name="tokens"),
    path("partnersleutels/<int:pk>/intrekken/", views.partner_token_revoke, name="token_revoke"),
]

api_urls = [
    path("public/reports", api.public_report_create, name="api_report_create"),
    path("public/reports/lookup", api.public_report_lookup, name="api_report_lookup"),
    path("public/reports/messages", api.public_report_message, name="api_report_message"),
    path("partner/signals", api.partner_signal_create, name="api_partner_signal"),
]

urlpatterns = (
    [path("melden/", include(public_urls))]
    + [path("m/<str:municipality>/", include(municipality_urls))]
    + [path("api/v1/", include(api_urls))]
)
