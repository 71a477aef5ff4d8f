"""Settings for the clinical AI appliance, read from the environment in this one place.

Defaults run the whole appliance on one machine with no configuration: SQLite under
``var/``, Redis on localhost, models under ``var/models``, keys created on first run.
"""
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from clinical_ai.keys import KeyStore

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CLINICAL_AI_DATA_DIR", BASE_DIR / "var"))
KEYS = KeyStore(Path(os.environ.get("CLINICAL_AI_KEY_DIR", DATA_DIR / "keys")))
MODEL_ROOT = Path(os.environ.get("MODEL_ROOT", DATA_DIR / "models"))
QUARANTINE_DIR = DATA_DIR / "quarantine"

# The de-identification engine (deid/, free of Django) reads its key from the environment.
if not os.environ.get("DEID_SECRET_KEY"):
    KEYS.secret("deid-secret-key", encoding="hex")
    os.environ.setdefault("DEID_KEY_FILE", str(KEYS.path("deid-secret-key")))

# Models are local files only; nothing may reach a hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or KEYS.secret("django-secret-key")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "clinical_ai.accounts",
    "clinical_ai.audit",
    "clinical_ai.nlp",
    "clinical_ai.documents",
    "clinical_ai.interop",
    "clinical_ai.quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinical_ai.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinical_ai.audit.middleware.RequestContextMiddleware",
    "clinical_ai.accounts.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinical_ai.urls"
WSGI_APPLICATION = "clinical_ai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinical_ai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web and workers write concurrently: wait for the lock instead of failing.
    # IMMEDIATE: a transaction takes the write lock when it begins, so the audit chain's tail
    # is read under the lock (clinical_ai/audit/chain.py).
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;",
                                       "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # each role's own start page
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_TIMEOUT_SECONDS", 15 * 60))
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute (live refreshes do not count: accounts.middleware)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "0") == "1"

# Login throttling (django-axes): 5 failures for a user name from one address lock it for 15 minutes.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", 0.25))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its log lines would carry the attempted user names

# API tokens: stored as digests, shown once, valid this many days (issue_token --days overrides).
API_TOKEN_DAYS = float(os.environ.get("API_TOKEN_DAYS", 90))
# Reads of the same document by the same user within this window are one read in the audit trail.
READ_AUDIT_WINDOW_SECONDS = float(os.environ.get("READ_AUDIT_WINDOW_SECONDS", 15 * 60))
# The author of a note may read its original without break-glass for this long after submitting it.
AUTHOR_ORIGINAL_WINDOW_SECONDS = float(os.environ.get("AUTHOR_ORIGINAL_WINDOW_SECONDS", 24 * 60 * 60))

# Compliance flags: working hours (in TIME_ZONE) and the counts that make a pattern worth review.
AUDIT_WORKING_HOURS = (int(os.environ.get("WORKING_HOURS_START", 7)), int(os.environ.get("WORKING_HOURS_END", 19)))
AUDIT_BULK_PATIENTS = int(os.environ.get("AUDIT_BULK_PATIENTS", 20))  # distinct patients in one hour
AUDIT_FAILED_LOGIN_BURST = int(os.environ.get("AUDIT_FAILED_LOGIN_BURST", 5))  # from one address in 10 minutes

# Strict Content-Security-Policy: the UI loads only its own scripts and styles, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "clinical_ai" / "static"]  # the project-wide stylesheet
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

# Documents above MAX_DOCUMENT_BYTES are refused and quarantined for review; request bodies
# above the hard limit are refused unread.
MAX_DOCUMENT_BYTES = int(os.environ.get("MAX_DOCUMENT_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", 128 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Quarantined payloads are kept this many days, and the folder at most this many bytes (oldest go first);
# their rows (reason, size, SHA-256, decision) stay.
QUARANTINE_RETENTION_DAYS = float(os.environ.get("QUARANTINE_RETENTION_DAYS", 30))
QUARANTINE_MAX_BYTES = int(os.environ.get("QUARANTINE_MAX_BYTES", 1024 * 1024 * 1024))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinical_ai.accounts.authentication.TokenOrBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # API views that name no permission admit people, never service tokens (see accounts.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["clinical_ai.accounts.permissions.IsPerson"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinical AI appliance API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["clinical_ai.accounts.permissions.IsPerson"],
}

# Celery: Redis broker; documents travel by id; work is acknowledged only when done.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # How long an unacknowledged message waits before Redis hands it out again
    # (a worker killed mid-task); the stuck-document sweep is the second net.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 3600)),
}
CELERY_TASK_ROUTES = {
    "clinical_ai.documents.tasks.deidentify_document": {"queue": "deid"},
    "clinical_ai.documents.tasks.infer_document": {"queue": "inference"},
    "clinical_ai.nlp.tasks.train_model": {"queue": "inference"},
    "clinical_ai.documents.tasks.requeue_stuck_documents": {"queue": "deid"},
    "clinical_ai.nlp.tasks.sweep_training_runs": {"queue": "deid"},
    "clinical_ai.audit.tasks.verify_audit_chain": {"queue": "deid"},
    "clinical_ai.documents.tasks.sweep_quarantine": {"queue": "deid"},
    "clinical_ai.quality.tasks.monitor_models": {"queue": "deid"},
}
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", 60))
STUCK_AFTER_SECONDS = float(os.environ.get("STUCK_AFTER_SECONDS", 15 * 60))
# Dynamic batching: an inference task takes the documents waiting for inference, oldest first,
# up to this many note tokens and this many documents, and summarizes them in one batch.
INFERENCE_BATCH_TOKENS = int(os.environ.get("INFERENCE_BATCH_TOKENS", 8192))
INFERENCE_BATCH_SIZE = int(os.environ.get("INFERENCE_BATCH_SIZE", 32))
# A training run whose worker has not beaten for this long (it beats ten times as often) is failed.
TRAINING_STALE_AFTER_SECONDS = float(os.environ.get("TRAINING_STALE_AFTER_SECONDS", 10 * 60))
# The promotion gate warns when the shared evaluation set has fewer rows than this.
PROMOTION_MIN_EVALUATION_ROWS = int(os.environ.get("PROMOTION_MIN_EVALUATION_ROWS", 30))
# The quality and drift monitor (clinical_ai/quality/monitor.py): a day's figure past its limit is flagged,
# on days with at least MONITOR_MIN_DOCUMENTS documents. PSI above 0.25 is the usual "significant shift".
MONITOR_THRESHOLDS = {
    "label_psi": float(os.environ.get("MONITOR_PSI_THRESHOLD", 0.25)),
    "note_length_shift": float(os.environ.get("MONITOR_LENGTH_SHIFT_THRESHOLD", 1.0)),
    "calibration_gap": float(os.environ.get("MONITOR_CALIBRATION_GAP_THRESHOLD", 0.25)),
    "report_rate": float(os.environ.get("MONITOR_REPORT_RATE_THRESHOLD", 0.05)),
    "unsupported_rate": float(os.environ.get("MONITOR_UNSUPPORTED_RATE_THRESHOLD", 0.2)),
    "fallback_rate": float(os.environ.get("MONITOR_FALLBACK_RATE_THRESHOLD", 0.2)),
    # Classifier calibration where labelled notes exist (coded types, type corrections): expected calibration error.
    "calibration_ece": float(os.environ.get("MONITOR_CALIBRATION_ECE_THRESHOLD", 0.15)),
    # The PHI tagger against its own last 14 days: identifiers per 1,000 characters moving by more than this
    # share either way (fewer may be misses), and the PSI of the identifier type mix.
    "identifier_density_shift": float(os.environ.get("MONITOR_IDENTIFIER_DENSITY_SHIFT_THRESHOLD", 0.5)),
    "identifier_mix_psi": float(os.environ.get("MONITOR_IDENTIFIER_MIX_PSI_THRESHOLD", 0.25)),
}
MONITOR_MIN_DOCUMENTS = int(os.environ.get("MONITOR_MIN_DOCUMENTS", 10))
# install_models names these users (an administrator, a clinician) owner and clinical validator of each default
# model that has none; unset, the defaults wait for the hospital to name them (promotion needs both).
DEFAULT_MODEL_OWNER = os.environ.get("DEFAULT_MODEL_OWNER", "")
DEFAULT_MODEL_VALIDATOR = os.environ.get("DEFAULT_MODEL_VALIDATOR", "")
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-documents": {
        "task": "clinical_ai.documents.tasks.requeue_stuck_documents",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "sweep-training-runs": {
        "task": "clinical_ai.nlp.tasks.sweep_training_runs",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "sweep-quarantine": {
        "task": "clinical_ai.documents.tasks.sweep_quarantine",
        "schedule": float(os.environ.get("QUARANTINE_SWEEP_INTERVAL_SECONDS", 60 * 60)),
    },
    "monitor-models": {
        "task": "clinical_ai.quality.tasks.monitor_models",
        "schedule": float(os.environ.get("MONITOR_INTERVAL_SECONDS", 60 * 60)),
    },
    "verify-audit-chain": {
        "task": "clinical_ai.audit.tasks.verify_audit_chain",
        "schedule": float(os.environ.get("AUDIT_VERIFY_INTERVAL_SECONDS", 60 * 60)),
    },
}

# Logs carry ids, counts and error classes only; never document text or patient values.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"presidio-analyzer": {"level": "ERROR"}, "axes": {"level": "ERROR"}},
}
