"""Settings shared by every environment. Values that differ per machine come from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is convenient for development; production reads the real environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our apps first, so their templates (registration/…) win over Django admin's.
    "buendnis.core",
    "buendnis.accounts",
    "buendnis.alliances",
    # Notifications and subscriptions: below the domain apps that call it.
    "buendnis.notifications",
    "buendnis.funding",
    "buendnis.budget",
    "buendnis.meetings",
    "buendnis.office",
    "buendnis.grants",
    "buendnis.ideas",
    "buendnis.renewal",
    # Bringing an alliance onto the platform: the import and export of its records.
    "buendnis.onboarding",
    "buendnis.privacy",
    "buendnis.portal",
    "buendnis.reports",
    "buendnis.public",
    "buendnis.api",
    "buendnis.oparl",
    # The demo data and `load_demo`: builds on every app above, none imports it.
    "buendnis.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "django_filters",
    # The lockout after failed logins (AXES_* below).
    "axes",
    # Two-factor login (README, "Zwei-Faktor-Anmeldung"): TOTP apps and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The tasks' queue in the database (TASKS below): `manage.py run_worker` works it off.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Too large a body is refused before any middleware or view reads it (413).
    "buendnis.core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag and 304 answers: before every middleware that changes the response (sessions, CSRF,
    # language, Content-Length in CommonMiddleware), so it sees the final headers and the tag is
    # taken from the final content (Django's middleware ordering notes).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "buendnis.core.middleware.ExplicitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # `request.user.is_verified()`: the session's second factor (django-otp), then the gate that
    # sends whoever owes a code (or must still set one up) to the two-factor pages.
    "django_otp.middleware.OTPMiddleware",
    "buendnis.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out internal roles after BUENDNIS_IDLE_TIMEOUT_MINUTES without a request.
    "buendnis.accounts.idle.IdleTimeoutMiddleware",
    "buendnis.core.public_cache.PublicCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "buendnis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL selects PostgreSQL (postgres://user:pw@host:5432/db).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep concurrent writers from failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# The login itself leads each person to their work when no `next` is given (desk, applicant
# portal, the ministry's overview: buendnis.portal.account_views.landing_path); this is Django's
# fallback for anything else that asks.
LOGIN_REDIRECT_URL = "public:platform_home"
LOGOUT_REDIRECT_URL = "public:platform_home"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "buendnis" / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
# No grouping of plain numbers: it would turn ids and versions in forms into "4.315". Amounts
# are grouped by the `money` filter itself (1.500.000,00 €).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded files: the file system under MEDIA_ROOT by default (on several app servers a folder
# they all mount), or an S3-compatible object store through django-storages
# (BUENDNIS_MEDIA_STORAGE=s3 and the BUENDNIS_S3_* variables; README "Several app servers").
# Either way the files are private: the app streams them after its permission check.
BUENDNIS_MEDIA_STORAGE = env.str("BUENDNIS_MEDIA_STORAGE", default="filesystem")
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if BUENDNIS_MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("BUENDNIS_S3_BUCKET"),
            "endpoint_url": env.str("BUENDNIS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("BUENDNIS_S3_REGION", default="") or None,
            "access_key": env.str("BUENDNIS_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("BUENDNIS_S3_SECRET_KEY", default="") or None,
            "location": env.str("BUENDNIS_S3_PREFIX", default=""),
            # Never public: no ACL that opens an object, no unsigned URL; a name is never reused,
            # so a document in the audit trail keeps pointing at what was uploaded.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif BUENDNIS_MEDIA_STORAGE != "filesystem":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "BUENDNIS_MEDIA_STORAGE muss „filesystem“ oder „s3“ sein, nicht "
        f"„{BUENDNIS_MEDIA_STORAGE}“."
    )
# Uploads: agreements and project documents. Larger files are refused with a German message.
MAX_UPLOAD_BYTES = env.int("BUENDNIS_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request body at all: one file at its limit and the form's other fields. A larger
# one is refused with 413 before it is read (core/middleware.py); set the proxy's limit to match
# (nginx `client_max_body_size`, README "Deploying").
MAX_REQUEST_BODY_BYTES = env.int(
    "BUENDNIS_MAX_REQUEST_BODY_BYTES", default=MAX_UPLOAD_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
)

# Mail goes through Django's mail framework (Django 6.1 MAILERS). SMTP in production; the
# DJANGO_EMAIL_* variables configure it.
MAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
SMTP_OPTIONS = {
    "host": env.str("DJANGO_EMAIL_HOST", default="localhost"),
    "port": env.int("DJANGO_EMAIL_PORT", default=25),
    "username": env.str("DJANGO_EMAIL_HOST_USER", default=""),
    "password": env.str("DJANGO_EMAIL_HOST_PASSWORD", default=""),
    "use_tls": env.bool("DJANGO_EMAIL_USE_TLS", default=False),
}


# Mail and the periodic jobs (reminders, retention, digests) run as tasks of Django's tasks
# framework. In production they wait in the database (django-tasks-db) for `manage.py run_worker`,
# so a request never waits for the mail server and several app servers share one queue.
# BUENDNIS_TASKS_BACKEND=immediate runs every task at once, inside the request (no worker).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env.str("BUENDNIS_TASKS_BACKEND", default="database")


def tasks(backend: str) -> dict[str, dict[str, object]]:
    return {"default": {"BACKEND": TASKS_BACKENDS.get(backend, backend)}}


TASKS = tasks(TASKS_BACKEND)


def mailers(backend: str, tasks_backend: str = "immediate") -> dict[str, dict[str, object]]:
    """`default` is what the code sends with. With a queue, `default` only queues the mail
    (buendnis/core/mail.py) and the worker hands it to `outgoing`, the real backend; without one,
    both are the real backend and mail goes out inline."""
    options: dict[str, object] = {}
    if backend.endswith("smtp.EmailBackend"):
        options = SMTP_OPTIONS
    elif backend.endswith("filebased.EmailBackend"):
        # Mail as files, one per connection, e.g. for a staging system that must not mail anyone.
        options = {
            "file_path": env.str("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var/mail"))
        }
    outgoing: dict[str, object] = {"BACKEND": backend, "OPTIONS": options}
    if TASKS_BACKENDS.get(tasks_backend, tasks_backend).endswith("ImmediateBackend"):
        return {"default": outgoing, "outgoing": outgoing}
    return {"default": {"BACKEND": "buendnis.core.mail.TaskMailBackend"}, "outgoing": outgoing}


MAILERS = mailers(MAIL_BACKEND, TASKS_BACKEND)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Bündnisportal <noreply@localhost>"
)

# The office's inbox (buendnis/office, README "The inbox"). Answers go out from the platform's
# address (DEFAULT_FROM_EMAIL) with Reply-To the mailbox that `manage.py fetch_inquiry_mail` reads,
# so that the person's answer comes back into its thread. Without a mailbox, Reply-To is the
# alliance's office address. Message-IDs end in BUENDNIS_MAIL_DOMAIN (default: the host of
# BUENDNIS_SITE_URL), never in the machine's name, so that they stay the same across servers.
BUENDNIS_INQUIRY_REPLY_TO = env.str("BUENDNIS_INQUIRY_REPLY_TO", default="")
BUENDNIS_MAIL_DOMAIN = env.str("BUENDNIS_MAIL_DOMAIN", default="")
BUENDNIS_INQUIRY_IMAP = {
    "host": env.str("BUENDNIS_INQUIRY_IMAP_HOST", default=""),
    "port": env.int("BUENDNIS_INQUIRY_IMAP_PORT", default=993),
    "user": env.str("BUENDNIS_INQUIRY_IMAP_USER", default=""),
    "password": env.str("BUENDNIS_INQUIRY_IMAP_PASSWORD", default=""),
    # ssl (IMAPS, port 993), starttls (port 143) or none (only for a server on this host)
    "security": env.str("BUENDNIS_INQUIRY_IMAP_SECURITY", default="ssl"),
    "folder": env.str("BUENDNIS_INQUIRY_IMAP_FOLDER", default="INBOX"),
    # Mails older than this many days are not looked at (the search stays bounded).
    "days": env.int("BUENDNIS_INQUIRY_IMAP_DAYS", default=14),
}

# Every asset comes from this host: no CDN, no external fonts, no inline scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# The reverse proxies in front of the app that append to X-Forwarded-For (README "Deploying"):
# nginx alone is 1. Per-client rate limits key on the address the outermost one saw
# (buendnis/core/client.py); 0 (the default, `make run`) keys on REMOTE_ADDR and ignores the
# header, which any client can send. Never set more than there are, and let gunicorn be
# reachable only through them: otherwise a client names its own address.
TRUSTED_PROXY_COUNT = env.int("BUENDNIS_TRUSTED_PROXIES", default=0)

REST_FRAMEWORK = {
    # Scripts send a token (`Authorization: Bearer …`, README), browsers the session (with CSRF).
    # The open-data views read neither (buendnis/api/views.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "buendnis.api.authentication.BearerTokenAuthentication",
        "buendnis.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Blank and null answers documented as sent (buendnis/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "buendnis.api.schema.AutoSchema",
    # DRF's paging, but a `limit` or `offset` it cannot read is a 400 (buendnis/api/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "buendnis.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "COERCE_DECIMAL_TO_STRING": True,
    # The services' domain errors as 409, 403 or 400 with German messages per field, for every view.
    "EXCEPTION_HANDLER": "buendnis.api.base.exception_handler",
    # No view throttles yet; should one come, it finds the client as the forms do
    # (core/client.py). 0, never DRF's default None: None trusts the whole X-Forwarded-For.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bündnisportal API",
    "DESCRIPTION": "Offene Daten der Fachkräftebündnisse: Partner, Gremien, Förderphasen, Handlungsfelder.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components, so uploads are typed as binary, not as links.
    "COMPONENT_SPLIT_REQUEST": True,
    # Seat roles and account roles are different things; name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "SeatRoleEnum": "buendnis.alliances.models.SeatRole",
        "BodyKindEnum": "buendnis.alliances.models.BodyKind",
        "GroupKindEnum": "buendnis.alliances.models.GroupKind",
        # A partner's signature names its field `status`, like a phase's recognition (below).
        "SignatureStatusEnum": "buendnis.renewal.models.SignatureStatus",
        # The projects API: one name for the states wherever they appear (status, timeline …).
        "ProjectStatusEnum": "buendnis.funding.states.Status",
        # The meetings API: a meeting's decision is not a body's Votum on a project, and both
        # name their field `outcome`.
        "OutcomeEnum": "buendnis.funding.models.Outcome",
        "MeetingStatusEnum": "buendnis.meetings.models.MeetingStatus",
        "DecisionOutcomeEnum": "buendnis.meetings.models.DecisionOutcome",
        "CirculationStatusEnum": "buendnis.meetings.models.CirculationStatus",
        "CirculationAnswerEnum": "buendnis.meetings.models.Answer",
        # The ministry's overview: where a phase stands with the recognition.
        "RecognitionStatusEnum": "buendnis.alliances.models.RecognitionStatus",
    },
}

# Two-factor login. The issuer names the entry in the person's authenticator app. Throttling after
# a wrong code (1 s, 2 s, 4 s … per failure in a row, per device) is django-otp's default; it is
# spelled out here because the login's protection against guessing codes rests on it.
OTP_TOTP_ISSUER = "Bündnisportal"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin's device pages (where a platform admin removes a lost phone) never show a secret key
# or a recovery code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# API tokens without an explicit expiry are valid for this many days (create_api_token --days).
BUENDNIS_API_TOKEN_DAYS = env.int("BUENDNIS_API_TOKEN_DAYS", default=90)

# Demo logins (documented in README) are refused where this is False (production).
BUENDNIS_ALLOW_DEMO_LOGINS = True

# The ministry that recognises the alliances of this deployment. In Lower Saxony the responsible
# ministry changed over the years: each recognition decision keeps the name it was taken under.
BUENDNIS_MINISTRY_NAME = env.str(
    "BUENDNIS_MINISTRY_NAME",
    default="Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung",
)

# The platform's address as people reach it (scheme and host, no trailing slash). Mail is sent
# after the request, without one to ask, so links in mail and calendar entries are built from
# this. Its host also names the calendar events (UID `<uuid>@<host>`): set it once per
# deployment, since a changed host makes subscribed calendars see every meeting anew.
BUENDNIS_SITE_URL = env.str("BUENDNIS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The shared cache: the public-page cache (buendnis/core/public_cache.py, invalidated by a data
# version that every service write bumps) and the rate limits of the public forms live here.
# With BUENDNIS_REDIS_URL it is Redis (Django's own backend), shared by every app server, so a
# write through one server is seen by all. Without it, files on this host: shared by its gunicorn
# workers and a hit needs no database query (DatabaseCache would cost one on every public page),
# but only right for a deployment on one host.
BUENDNIS_REDIS_URL = env.str("BUENDNIS_REDIS_URL", default="")
CACHES: dict[str, dict[str, object]]
if BUENDNIS_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BUENDNIS_REDIS_URL,
            "TIMEOUT": 300,
            # Several deployments may share one Redis; each keeps to its own keys.
            "KEY_PREFIX": env.str("BUENDNIS_CACHE_KEY_PREFIX", default="buendnis"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("BUENDNIS_CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": env.int("BUENDNIS_CACHE_MAX_ENTRIES", default=20000)},
        }
    }
BUENDNIS_PUBLIC_CACHE = env.bool("BUENDNIS_PUBLIC_CACHE", default=True)
BUENDNIS_PUBLIC_CACHE_SECONDS = env.int("BUENDNIS_PUBLIC_CACHE_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# Axes first: it refuses a locked-out client before any password is checked (also at /admin/).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "buendnis.accounts.backends.DemoAwareBackend",
]

# Failed logins (django-axes, README "Anmeldung und Sicherheit"). A client is locked out after
# BUENDNIS_LOGIN_FAILURE_LIMIT failures for one login name, or of any names (password spraying),
# within the cool-off time, for that time; each further failure starts it anew.
# `manage.py axes_reset` unlocks everyone (axes_reset_username / axes_reset_ip: one).
# Not per name alone: then anyone could lock the office out by typing its name five times.
# No reset on success either: it would delete the client's failures for every name, so that an
# attacker with an account of their own could log in with it between guesses.
AXES_FAILURE_LIMIT = env.int("BUENDNIS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("BUENDNIS_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "buendnis.accounts.throttle.login_name"
AXES_LOCKOUT_CALLABLE = "buendnis.accounts.throttle.lockout_response"
# The client's address as the rate limits of the forms read it (behind TRUSTED_PROXY_COUNT proxies).
AXES_CLIENT_IP_CALLABLE = "buendnis.core.client.client_ip"
# Internal roles (office, Sprecherkreis, Steuerkreis, advisory members, ministry, platform admins,
# staff) are signed out after this many minutes without a request; 0 switches it off.
BUENDNIS_IDLE_TIMEOUT_MINUTES = env.int("BUENDNIS_IDLE_TIMEOUT_MINUTES", default=30)

# Axes keeps the failures only, not a row (address, browser) per successful login.
AXES_DISABLE_ACCESS_LOG = True
# No banner at start-up: the management commands (worker, manual runs) print only their own lines.
AXES_VERBOSE = False
