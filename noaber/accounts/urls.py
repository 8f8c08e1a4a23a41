from django.urls import path

from . import provider_views, views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login, name="login"),
    path("inloggen/code/", views.login_code, name="login_code"),
    path("inloggen/koppelen/", views.enrol, name="enrol"),
    path("inloggen/via/<slug:slug>/", provider_views.provider_start, name="provider_start"),
    path(
        "inloggen/via/<slug:slug>/terug/",
        provider_views.provider_callback,
        name="provider_callback",
    ),
    path(
        "inloggen/via/<slug:slug>/backchannel-logout/",
        provider_views.provider_backchannel_logout,
        name="provider_backchannel_logout",
    ),
    path("uitloggen/", views.logout, name="logout"),
    path("account/", views.account, name="account"),
    path("account/wachtwoord/", views.password_change, name="password_change"),
]
