from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import twofactor_views
from .account_forms import PasswordResetSetForm
from .account_views import LoginView, PasswordResetView

app_name = "accounts"

urlpatterns = [
    path("anmelden/", LoginView.as_view(), name="login"),
    # Two-factor login (twofactor_views.py): the code step, and the settings with their steps.
    path("anmelden/code/", twofactor_views.verify, name="two_factor_verify"),
    path("zwei-faktor/", twofactor_views.settings_page, name="two_factor"),
    path("zwei-faktor/einrichten/", twofactor_views.setup_begin, name="two_factor_begin"),
    path("zwei-faktor/bestaetigen/", twofactor_views.setup_confirm, name="two_factor_confirm"),
    path("zwei-faktor/codes/", twofactor_views.codes_renew, name="two_factor_codes"),
    path("zwei-faktor/ausschalten/", twofactor_views.disable, name="two_factor_disable"),
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
