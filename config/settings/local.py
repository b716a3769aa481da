"""Development on one's own machine: `make run` uses these."""

from .base import *  # noqa: F403
from .base import env, mailers, tasks

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-only-not-secret")  # noqa: S105
# `make run` starts nothing but the server: tasks (mail, periodic jobs) run at once, inline,
# unless BUENDNIS_TASKS_BACKEND=database (then `manage.py run_worker` in a second terminal).
TASKS_BACKEND = env.str("BUENDNIS_TASKS_BACKEND", default="immediate")
TASKS = tasks(TASKS_BACKEND)
# Mail is printed to the console unless DJANGO_EMAIL_BACKEND says otherwise.
MAILERS = mailers(
    env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"),
    TASKS_BACKEND,
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps while developing (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
