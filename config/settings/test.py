"""The test suite. DATABASE_URL (set by `make test` for the PostgreSQL pass) selects the database."""

from .base import *  # noqa: F403
from .base import DATABASES, mailers, tasks

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
# Tasks run inline and mail lands in mail.outbox at once; tests/core/test_mail_queue.py tries the queue.
TASKS = tasks("immediate")
MAILERS = mailers("django.core.mail.backends.locmem.EmailBackend", "immediate")
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One cache per test process; the public-page cache is off except where tests switch it on
# (tests/core/test_public_cache.py), so no test sees a page another test rendered.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
BUENDNIS_PUBLIC_CACHE = False
