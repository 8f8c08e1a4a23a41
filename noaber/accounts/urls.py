from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login, name="login"),
    path("inloggen/code/", views.login_code, name="login_code"),
    path("inloggen/koppelen/", views.enrol, name="enrol"),
    path("uitloggen/", views.logout, name="logout"),
    path("account/", views.account, name="account"),
    path("account/wachtwoord/", views.password_change, name="password_change"),
]
