from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class DemoAwareBackend(ModelBackend):
    """Django's login, with two differences: the login name is matched without regard to case
    (applicants log in with their e-mail address, typed however), and the public demo logins are
    refused wherever the settings forbid them (production)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username:
            names = list(
                get_user_model()
                ._default_manager.filter(username__iexact=username)
                .values_list("username", flat=True)[:2]
            )
            if len(names) == 1:  # two accounts differing only in case: ask for the exact name
                username = names[0]
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.BUENDNIS_ALLOW_DEMO_LOGINS:
            return False
        return super().user_can_authenticate(user)
