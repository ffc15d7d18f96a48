"""Creditdesk settings, read from the environment (see README, "Configuration").

Management commands and tests default to DEBUG on; wsgi/asgi default it off, so a server
started without configuration refuses to run rather than running in debug mode.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

from creditdesk.csp import content_security_policy
from creditdesk.mail_servers import authserv_ids

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # SystemExit prints the message alone: an operator sees what to set, not a traceback.
        raise SystemExit(
            "creditdesk: SECRET_KEY is not set. Production (DEBUG=0) needs a long random "
            "SECRET_KEY in the environment; see README, 'Configuration'."
        )
    SECRET_KEY = "django-insecure-creditdesk-development-only-key"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "creditdesk.web.views.errors.csrf_failure"

INSTALLED_APPS = [
    "creditdesk.admin_site.CreditdeskAdminConfig",  # django.contrib.admin, 403 for outsiders
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "djmoney",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "background",
    "sla",
    "contracts",
    "credits",
    "tickets",
    "billing",
    "knowledge",
    "creditdesk",
    "creditdesk.api",
    "operations",
    "axes",
    "webhooks",
    "statuspage",
    "quotes",
    "activations",
]

MIDDLEWARE = [
    "creditdesk.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves the collected static files (compressed, cached forever by hashed
    # name) from the web process, so no separate file server is needed; development serves
    # the sources through runserver.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "creditdesk.urls"
WSGI_APPLICATION = "creditdesk.wsgi.application"
ASGI_APPLICATION = "creditdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "creditdesk.web.navigation.navigation",
            ],
        },
    },
]

# SQLite is the embedded default. select_for_update() is a no-op there, so writers are
# serialised instead: IMMEDIATE transactions take the write lock at BEGIN, and the busy
# timeout makes a second writer wait for it rather than fail with "database is locked".
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'creditdesk.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file (not :memory:) so threaded tests share one database; one per process so
    # parallel test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-creditdesk-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django switches psycopg's prepared statements off, for transaction-mode poolers; this
    # lets the statements run most (the credit ledger's, intake's) be parsed and planned once
    # per connection instead of on every call. Behind PgBouncer older than 1.21 in
    # transaction mode, set DATABASE_PREPARED_STATEMENTS=off.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "prepare_threshold", 5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )
    # Parameters sent apart from the SQL, as psycopg does by default and Django does not:
    # psycopg then quotes nothing into the text in Python, and with the threshold above the
    # server parses and plans a hot query once per connection. An intake cost 5.7 ms of CPU
    # and 12-16 ms in all bound on the client, 4.5 ms and 7 ms so (bench/README.md).
    DATABASES["default"]["OPTIONS"].setdefault(
        "server_side_binding", env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# An index's `include` columns are PostgreSQL's; SQLite leaves them out, and loses nothing by
# it for the one index that has them (tickets_contract_opened: its table's every index holds
# the row's id already).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The API's rate limits count here: several server processes need one shared cache.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day first and on a 24-hour clock, as Spanish and our long forms write them
# (creditdesk/formats/en); Spanish keeps Django's own formats.
FORMAT_MODULE_PATH = ["creditdesk.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Production serves hashed, pre-compressed copies that `collectstatic` writes; development
# and tests serve the sources, so they need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Ticket attachments: on disk under PRIVATE_MEDIA_ROOT, never served at a public
    # address; read through the access-checked attachment views only (core.storage).
    "private": {"BACKEND": "core.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Attachments on ticket messages (portal, workspace, API): at most this many per message,
# each at most this many bytes (tickets.services.attachments).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env.int("ATTACHMENT_MAX_COUNT", default=5)

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587 (django-environ's scheme).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    "timeout": 30,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Creditdesk <soporte@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where customers reach Creditdesk: the links in mail (a resolved request's reopen link).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Background work (django.tasks). TASKS_BACKEND: `database` (django-tasks-db: tasks are rows
# in DATABASE_URL's database, run by `manage.py db_worker`), `redis` (django-tasks-rq on
# REDIS_URL, run by `manage.py rqworker default`), or `immediate` (run inside the request:
# only for debugging, a dead SMTP server then fails the request).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
_task_backends = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}
TASKS = {"default": _task_backends[TASKS_BACKEND]}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")  # its `rqworker` command runs the tasks
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# A failed task runs again after BASE, 2 BASE, 4 BASE... seconds, ATTEMPTS times in all.
TASKS_RETRY_ATTEMPTS = env.int("TASKS_RETRY_ATTEMPTS", default=6)
TASKS_RETRY_BASE_SECONDS = env.int("TASKS_RETRY_BASE_SECONDS", default=30)

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Empty means Stripe itself; tests point it at a localstripe server.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")

# The seller printed on invoices (billing/pdf.py). SELLER_LOGO is a file path (SVG or PNG);
# empty prints the legal name alone.
SELLER_LEGAL_NAME = env.str("SELLER_LEGAL_NAME", default="Creditdesk Soporte S.A.S.")
SELLER_TAX_ID = env.str("SELLER_TAX_ID", default="NIT 901.234.567-8")
SELLER_ADDRESS = env.str(
    "SELLER_ADDRESS", default="Carrera 7 # 71-21, oficina 802\nBogotá D.C., Colombia"
)
SELLER_LOGO = env.str("SELLER_LOGO", default=str(BASE_DIR / "templates/billing/seller_logo.svg"))
SELLER_PAYMENT_INSTRUCTIONS = env.str(
    "SELLER_PAYMENT_INSTRUCTIONS",
    default="Bancolombia, cuenta corriente 123-456789-01, a nombre de Creditdesk Soporte "
    "S.A.S. Indique el número de factura en la referencia.",
)

CURRENCIES = ("COP", "USD", "ARS", "VES", "UYU", "CLP", "MXN", "PEN", "BRL", "EUR")
DEFAULT_CURRENCY = "COP"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "creditdesk.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "creditdesk.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # Token first: an anonymous caller gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "creditdesk.api.throttling.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "creditdesk.api.errors.exception_handler",
    # Failed token authentications per client address; ticket openings per customer.
    "DEFAULT_THROTTLE_RATES": {
        "auth_failure": env.str("API_AUTH_FAILURE_RATE", default="20/min"),
        "intake": env.str("API_INTAKE_RATE", default="60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Creditdesk API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Credit-based support billing. Errors: see the `Error` schema; "
    "authentication: `Authorization: Token <key>` or the session.",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "SessionStatusEnum": "tickets.models.ScheduledSession.Status",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "HoldStatusEnum": "credits.models.CreditHold.Status",
        "LedgerEntryKindEnum": "credits.models.LedgerEntry.Kind",
        "InvoiceStatusEnum": "billing.models.Invoice.Status",
        "InvoiceKindEnum": "billing.models.Invoice.Kind",
        "InvoiceSourceEnum": "billing.models.Invoice.Source",
        "InvoiceLineKindEnum": "billing.models.InvoiceLine.Kind",
        "PaymentStatusEnum": "billing.models.Payment.Status",
        "ChannelEnum": "contracts.models.Channel",
        "WebhookEventTypeEnum": "core.events.EVENT_TYPES",
        "WebhookDeliveryStatusEnum": "webhooks.models.WebhookDelivery.Status",
        "ImpactEnum": "sla.choices.Impact",
        "PriorityEnum": "sla.choices.Priority",
        "IncidentImpactEnum": "statuspage.models.Impact",
        "IncidentStateEnum": "statuspage.models.State",
        "IncidentOpenStateEnum": "creditdesk.api.serializers.statuspage.OPEN_STATE_CHOICES",
        "ComponentStatusEnum": "statuspage.models.ComponentStatus",
        "QuoteKindEnum": "quotes.models.Quote.Kind",
        "ActivationKindEnum": "activations.models.Activation.Kind",
        "ActivationStatusEnum": "activations.models.Activation.Status",
        "ActivationStepKindEnum": "activations.models.ActivationStep.Kind",
        "ActivationStateEnum": "creditdesk.api.serializers.activations.STATE_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "creditdesk.api.schema.add_error_responses",
    ],
}

# Client addresses: X-Forwarded-For is believed for this many proxies in front of the app
# (0: REMOTE_ADDR only). See creditdesk/security.py.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login lockout (django-axes) on the portal and admin sign-in: after LOGIN_FAILURE_LIMIT
# wrong passwords for one user from one address, that pair is refused (429) for
# LOGIN_COOLOFF_MINUTES; other users and other addresses are not affected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "creditdesk.security.client_address"
AXES_LOCKOUT_CALLABLE = "creditdesk.web.views.accounts.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Password-reset requests per hour, per client address and per e-mail address asked for.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
# Answers to "was this helpful?" from readers not signed in, per address and hour.
KB_FEEDBACK_LIMIT_PER_ADDRESS = env.int("KB_FEEDBACK_LIMIT_PER_ADDRESS", default=20)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The authserv-ids (RFC 8601) of the mail servers that receive support mail, comma-separated
# in MAIL_AUTHSERV_ID (an installation may have several MX hosts): with them set, inbound mail
# counts only when our servers' Authentication-Results vouch for the sender's domain
# (`tickets.mail.sender_authenticated`). Empty: the From header is believed.
MAIL_AUTHSERV_IDS = authserv_ids(env.str("MAIL_AUTHSERV_ID", default=""))

# Seed 003: a request is abandoned after this many information requests go unanswered,
# each given this many business days.
TICKETS_ANSWER_DAYS = env.int("TICKETS_ANSWER_DAYS", default=2)
TICKETS_UNANSWERED_LIMIT = env.int("TICKETS_UNANSWERED_LIMIT", default=2)

# An invoice is due this many days after issue; past due plus the plan's grace days the
# customer is administratively insolvent, and this many days later the contract is suspended.
BILLING_PAYMENT_TERM_DAYS = env.int("BILLING_PAYMENT_TERM_DAYS", default=15)
BILLING_SUSPEND_AFTER_DAYS = env.int("BILLING_SUSPEND_AFTER_DAYS", default=15)
# Payment reminders of an unpaid invoice, in days from its due date (negative: before it; 0:
# on it), each sent once (`manage.py remind_invoices`, daily), e.g. "-3,0,7,15".
BILLING_REMINDER_DAYS = tuple(env.list("BILLING_REMINDER_DAYS", cast=int, default=[-3, 0, 7, 15]))

# Content-Security-Policy (django.middleware.csp): see creditdesk/csp.py.
SECURE_CSP = content_security_policy(stripe_api_base=STRIPE_API_BASE)

# Outbound webhooks (webhooks/): a delivery's timeout, failed attempts in a row that disable
# an endpoint, and whether destinations on private networks are allowed (tests; integrators
# inside the operator's own network).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=20)
WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = env.bool("WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS", default=False)

# A probe that finds the task queue stuck this long takes the process out of rotation.
READYZ_TASK_WAIT_SECONDS = env.int("READYZ_TASK_WAIT_SECONDS", default=300)

if not DEBUG:
    # Load balancers probe over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# LOG_FORMAT=json: one JSON object per line, with the request id and, per request, method,
# path, status and duration (creditdesk/observability.py). `text` leaves request lines to the
# server (runserver, gunicorn's access log).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "creditdesk.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "creditdesk.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "creditdesk.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # WeasyPrint narrates every rendering step at INFO ("Step 2 - Fetching and parsing CSS").
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
