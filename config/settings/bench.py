"""The benchmark (`make bench`, scripts/bench.py): production settings on a local machine.

Like production (DEBUG off, persistent database connections, the shared file cache), except
what a loopback benchmark cannot have: no HTTPS redirect or secure-only cookies (plain HTTP on
127.0.0.1), a throwaway secret, and SQLite allowed (`--sqlite`). scripts/bench.py sets the
folders (DJANGO_STATIC_ROOT, DJANGO_MEDIA_ROOT, BUENDNIS_CACHE_DIR) to a temporary directory.
"""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="bench-only-not-secret")  # noqa: S105
# testserver: the in-process query count (Django's test client) reads the same settings.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One connection per worker, kept across requests (as in production.py).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SECURE_SSL_REDIRECT = False
BUENDNIS_ALLOW_DEMO_LOGINS = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
