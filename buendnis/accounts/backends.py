from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class DemoAwareBackend(ModelBackend):
    """Refuses the public demo logins wherever the settings forbid them (production)."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.BUENDNIS_ALLOW_DEMO_LOGINS:
            return False
        return super().user_can_authenticate(user)
