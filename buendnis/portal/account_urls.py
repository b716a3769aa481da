from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .account_forms import PasswordResetSetForm
from .account_views import LoginView, PasswordResetView

app_name = "accounts"

urlpatterns = [
    path("anmelden/", LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("passwort-vergessen/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passwort-neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=PasswordResetSetForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "passwort-neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# A member's notifications: delivery and subscriptions (the centre is per alliance,
# notification_urls.py); the namespace stays "accounts".
from . import notification_views  # noqa: E402

urlpatterns += [
    path("benachrichtigungen/", notification_views.account_settings, name="notifications"),
    path(
        "benachrichtigungen/abbestellen/",
        notification_views.account_unsubscribe,
        name="notification_unsubscribe",
    ),
]

# Registration of applicants (alliances/registration.py); the namespace stays "accounts".
from . import registration_views  # noqa: E402

urlpatterns += [
    path("registrieren/", registration_views.register, name="register"),
    path("registrieren/gesendet/", registration_views.register_done, name="register_done"),
    path(
        "bestaetigen/<uidb64>/<token>/",
        registration_views.register_confirm,
        name="register_confirm",
    ),
]
