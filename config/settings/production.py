"""Production: PostgreSQL behind gunicorn. Everything secret comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, SECRET_KEY, env

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY muss in der Produktion gesetzt sein.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("In der Produktion muss DATABASE_URL auf PostgreSQL zeigen.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for the host and every subdomain, and the request to be on the browsers' preload list. The
# list asks for a max-age of at least a year, hence the default. A domain whose other subdomains
# are not all on HTTPS yet sets DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS and _PRELOAD to False
# (README, "Anmeldung und Sicherheit"): a preloaded domain cannot quickly leave the list again.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# The demo logins are public knowledge (README); they must never open a production system.
BUENDNIS_ALLOW_DEMO_LOGINS = False
