"""Settings for the clinic app: one file, driven by environment variables.

Production is the safe default: DEBUG is off and SECRET_KEY must be set.
`make run` turns on what development needs (see the Makefile and .env.example).
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ

from messaging.sms_url import parse_quiet_hours, parse_sms_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-only-key-never-use-in-production"
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY (see .env.example); it is required when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

CLINIC_NAME = env.str("CLINIC_NAME", default="Clinic")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="")

# Where the app is reached (for links in emails sent from cron jobs).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Appointment reminders (manage.py send_reminders): hours before the visit.
REMINDER_HOURS_BEFORE = env.int("REMINDER_HOURS_BEFORE", default=24)
# Backups (manage.py backup / restore): where files go, and an optional Fernet key that
# encrypts them (keep the key somewhere other than the backups).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
# Whole-clinic archives (archive/): kept this many days in STORAGES["archives"] (below), then
# deleted by a nightly job.
ARCHIVE_KEEP_DAYS = env.int("ARCHIVE_KEEP_DAYS", default=7)
# Seals of signed records (sessions/seals.py): an HMAC key kept outside the database, so that
# nobody with database access alone, a superuser included, can rewrite a signed note and make
# it look intact. Required in production; keep a copy with the backup key. Old keys (after a
# rotation, comma-separated) still verify the records they sealed.
RECORD_SEAL_KEY = env.str("RECORD_SEAL_KEY", default="")
RECORD_SEAL_OLD_KEYS = env.list("RECORD_SEAL_OLD_KEYS", default=[])
if not RECORD_SEAL_KEY:
    if DEBUG or TESTING:
        RECORD_SEAL_KEY = "insecure-development-only-seal-key-never-use-in-production"
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Set RECORD_SEAL_KEY (see .env.example and README: Record seals); it is required when DEBUG is off."
        )

# Intake links for clients: days until a link expires.
INTAKE_LINK_DAYS = env.int("INTAKE_LINK_DAYS", default=7)

# Imports (imports/): the country whose phone numbers need no +code (ISO 3166 letters), the
# largest file accepted, and how long the manager may undo a whole import.
CLINIC_COUNTRY = env.str("CLINIC_COUNTRY", default="CA").upper()
# Waitlist (booking/): how long an offer of a freed time stands (at most until an hour before it).
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=2)
IMPORT_MAX_MEGABYTES = env.int("IMPORT_MAX_MEGABYTES", default=100)
IMPORT_UNDO_DAYS = env.int("IMPORT_UNDO_DAYS", default=14)
# Public pages (online intake): requests per address per window, as (requests, seconds).
RATE_LIMITS = {
    "public_intake": (env.int("INTAKE_RATE_LIMIT", default=120), env.int("INTAKE_RATE_WINDOW", default=600)),
    # Therapists' calendar feeds (feeds/): phones poll every few minutes, several behind one address.
    "calendar_feed": (env.int("FEED_RATE_LIMIT", default=60), env.int("FEED_RATE_WINDOW", default=600)),
    # Online booking (booking/): the pages, and the bookings sent (per address).
    "public_booking": (env.int("BOOKING_RATE_LIMIT", default=120), env.int("BOOKING_RATE_WINDOW", default=600)),
    "booking_submit": (env.int("BOOKING_SUBMIT_LIMIT", default=10), env.int("BOOKING_SUBMIT_WINDOW", default=3600)),
}
# Text messages (messaging/, README: Text messages): the backend, as a URL (off when empty:
# console:// in development, locmem:// in tests, twilio://SID:TOKEN@api.twilio.com?from=... for
# real), and the clinic-time span when no text goes out (a reminder due then waits).
SMS_URL = env.str("SMS_URL", default="locmem://" if TESTING else "console://" if DEBUG else "")
SMS_QUIET_HOURS = env.str("SMS_QUIET_HOURS", default="21-8")
_sms_checked = (parse_sms_url(SMS_URL), parse_quiet_hours(SMS_QUIET_HOURS))  # a mistyped one stops start-up
# The provider's webhook (replies): requests per address per window. Twilio posts from a few
# addresses of its own, so the limit is roomy; it stops a flood, not the clinic's replies.
RATE_LIMITS["sms_inbound"] = (
    env.int("SMS_INBOUND_RATE_LIMIT", default=300),
    env.int("SMS_INBOUND_RATE_WINDOW", default=60),
)
# Behind a reverse proxy that sets X-Forwarded-For, use its last entry as the client address.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)

INSTALLED_APPS = [
    # Background jobs on PostgreSQL (tables and functions by its migrations; tasks in each app's tasks.py).
    "procrastinate.contrib.django",
    "clinic.apps.ClinicConfig",
    "bodymap.apps.BodymapConfig",
    "clients.apps.ClientsConfig",
    "intake.apps.IntakeConfig",
    "sessions.apps.VisitsConfig",
    "scheduling.apps.SchedulingConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    # Audit trail: change history by PostgreSQL triggers (django-pghistory on django-pgtrigger).
    "pgtrigger",
    "pghistory",
    "audit.apps.AuditConfig",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts.apps.AccountsConfig",
    "jobs.apps.JobsConfig",
    "imports.apps.ImportsConfig",
    "archive.apps.ArchiveConfig",
    "messaging.apps.MessagingConfig",
    "booking.apps.BookingConfig",
    "feeds.apps.FeedsConfig",
    # Operations (database logins, migrate as the owner, backups, the embedded PostgreSQL)
    # and made-up data (demo clinic, benchmark seed).
    "ops.apps.OpsConfig",
    "demo.apps.DemoConfig",
]

MIDDLEWARE = [
    # Outermost: a request a database outage broke gets the 503 page with what was typed.
    "clinic.outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long cache and need no policy.
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # PostgreSQL cannot store NUL: drop it from query strings and form posts (clinic/nul_bytes.py).
    "clinic.nul_bytes.StripNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Audit trail (audit/middleware.py): who and which page for every change a request makes,
    # and a line in the access log for every clinical page opened, printed or refused.
    "audit.middleware.ChangeContextMiddleware",
    "audit.middleware.ClinicalAccessMiddleware",
    # Sign-in protection (accounts/middleware.py): idle sign-out, then two-factor before any page.
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
                "accounts.context_processors.idle_timeout",
            ],
        },
    },
]

# Database: PostgreSQL only, reached through two logins (README: Database logins).
# - DATABASE_URL, the app login: what the web app, cron jobs and workers use. It reads and
#   writes records but owns nothing: it cannot ALTER, DROP or TRUNCATE, and may only INSERT
#   into the audit trail and the access log (grants by `manage.py db_roles`).
# - DATABASE_OWNER_URL, the owner login: owns the tables; `migrate`, `backup`, `restore` and
#   `db_roles` switch to it (ops/db_logins.py). Unset, it is DATABASE_URL (a quick local start).
# With DATABASE_URL unset, an embedded PostgreSQL (ops/embedded_db.py) starts with its data
# in .pgdata/, with the same two logins.
if env.str("DATABASE_URL", default=""):
    _app_database = env.db("DATABASE_URL")
    _owner_database = env.db("DATABASE_OWNER_URL") if env.str("DATABASE_OWNER_URL", default="") else _app_database
    if _owner_database.get("NAME") != _app_database.get("NAME"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_OWNER_URL and DATABASE_URL must name the same database.")
else:
    from ops.embedded_db import EmbeddedDatabaseUnavailable, database_settings

    try:
        _app_database, _owner_database = database_settings(
            BASE_DIR / ".pgdata", name=env.str("EMBEDDED_DATABASE_NAME", default="clinic")
        )
    except EmbeddedDatabaseUnavailable as exc:
        sys.stderr.write(str(exc))
        raise SystemExit(2) from None

# Who connects as what: the credentials of each login (the database name is always the
# app's own, so a test database keeps its name). `migrate` grants the app login's role.
DATABASE_OWNER = {key: _owner_database.get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")}
DATABASE_APP = {key: _app_database.get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")}
# The test runner creates, migrates and empties its database: that is the owner's work.
DATABASES = {"default": dict(_app_database, **DATABASE_OWNER) if TESTING else _app_database}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
# Typo-tolerant search: a query word matches a name word at this trigram word
# similarity ("jon" ~ "john" is 0.5, "smth" ~ "smith" is 0.4). Set per connection so any server works.
DATABASES["default"]["OPTIONS"]["options"] = "-c pg_trgm.word_similarity_threshold=0.4"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "clinic.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:  # the real hasher costs ~0.25 s per staff account the tests create
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
# Sign-in protection (accounts/). The lockout backend comes first and refuses a locked-out
# (username, address) pair before any password is checked; StaffBackend is Django's ModelBackend
# loading the signed-in person with their two-factor state in the same query.
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutBackend", "accounts.backends.StaffBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Per username *and* address: one attacker cannot lock the whole clinic out behind one address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Two-factor sign-in (django-otp): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = CLINIC_NAME
# Idle sign-out: minutes without a request before the session ends (a warning comes 2 minutes earlier).
IDLE_TIMEOUT_MINUTES = env.int("IDLE_TIMEOUT_MINUTES", default=30)
LOGIN_REDIRECT_URL = "home"
# Audit trail: each change is stamped with the time of its own statement (not the start of its
# transaction), so the changes one request makes are listed in the order they happened.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"
# Who-and-where context goes with the requests that change things. Pages that only read
# (GET) skip it: pghistory prefixes EVERY statement of a tracked request with one that sets
# the context, a cost each page paid for nothing.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Whole-clinic archives (README: Clinic archive). A folder serves one machine; with several
    # web nodes or workers, a storage they all reach, e.g. S3 through django-storages:
    # ARCHIVE_STORAGE_BACKEND=storages.backends.s3.S3Storage and ARCHIVE_STORAGE_OPTIONS as JSON
    # ({"bucket_name": "clinic-archives", "location": "archives"}). Tests keep them in memory.
    "archives": {
        "BACKEND": env.str(
            "ARCHIVE_STORAGE_BACKEND",
            default="django.core.files.storage.InMemoryStorage"
            if TESTING
            else "django.core.files.storage.FileSystemStorage",
        ),
        "OPTIONS": env.json(
            "ARCHIVE_STORAGE_OPTIONS",
            default={}
            if TESTING
            else {
                "location": env.str("ARCHIVE_DIR", default=str(BASE_DIR / "archives")),
                # Encrypted, yet nobody else on the machine needs to read them.
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        ),
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development; SMTP in production via EMAIL_URL
# (for example smtp+tls://user:password@mail.example.com:587).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinic@localhost")

# Security: secure by default, relaxed only when DEBUG is on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for HSTS preload. Preloading hard-codes HTTPS-only for the whole
    # registered domain into browsers and takes months to undo: the domain owner's decision
    # (submit the domain, then set SECURE_HSTS_PRELOAD=1), not a default the app can make.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only the app's own files; no inline scripts, inline
# styles or eval (templates and static/js keep to that); no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Error reports (the DEBUG page, error emails) hide POST and query values, local variables and
# secrets: health data must not reach them (clinic/error_reports.py).
DEFAULT_EXCEPTION_REPORTER = "clinic.error_reports.ClinicExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.error_reports.ClinicExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "one_line_refusals": {"()": "clinic.logging.OneLineRefusals"},
        "redact_query_strings": {"()": "clinic.logging.RedactQueryStrings"},
        "redact_database_details": {"()": "clinic.logging.RedactDatabaseDetails"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            # A refused request (403, 404) is one line, without Django's traceback.
            "filters": ["one_line_refusals", "redact_query_strings", "redact_database_details"],
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "loggers": {
        # Django's default config gives "django" a console handler of its own (DEBUG only) that
        # printed every request warning a second time beside the root's: the root prints them.
        "django": {"handlers": ["mail_admins"]},
        # runserver's request log has its own handler: give it the same filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "pgserver": {"level": "WARNING"},
        # django-axes: failed sign-ins and lockouts (WARNING) yes, every successful one no.
        "axes": {"level": "WARNING"},
        # WeasyPrint (the PDF export) logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Twilio's package logs every API request and response (address, headers) at INFO.
        "twilio": {"level": "WARNING"},
        # SQL statements with their parameters (names, notes) are logged at DEBUG: never log
        # them, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
