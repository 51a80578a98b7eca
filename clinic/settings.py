"""Settings for the clinic content platform, driven by the environment.

Nothing set means the embedded default: SQLite in the project folder, a file cache
under var/cache/ that every process on the machine shares, DEBUG off.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
Every variable is documented in ``.env.example``.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def from_env(name: str, cast: Callable[[str], Any], default: Any) -> Any:
    """The variable ``name`` read by ``cast``. Unset or empty (``HSTS_SECONDS=``, as
    .env.example writes them) means ``default``; a value ``cast`` refuses stops
    start-up with an error that names the variable, never a silent fallback."""
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except (ValueError, KeyError, TypeError) as error:
        # The value itself is not repeated: it may be a secret (a database URL).
        raise ImproperlyConfigured(
            f"The environment variable {name} is not valid: {error}"
        ) from None


def boolean(raw: str) -> bool:
    value = raw.lower()
    if value in ("true", "1", "yes", "y", "on", "ok"):
        return True
    if value in ("false", "0", "no", "n", "off"):
        return False
    raise ValueError("expected true or false")


def count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected a whole number of 0 or more")
    return value


def number(raw: str) -> float:
    value = float(raw)
    if not value >= 0:
        raise ValueError("expected a number of 0 or more")
    return value


def database_url(raw: str) -> dict:
    scheme = raw.partition("://")[0]
    if scheme not in environ.Env.DB_SCHEMES:
        raise ValueError(f"expected a database URL such as postgres://…, not {scheme}:")
    return environ.Env.db_url_config(raw)


def comma_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def public_origin(raw: str) -> str:
    """``https://api.example.com``: a scheme and a host (and port), nothing else."""
    parts = urlsplit(raw)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ValueError("expected a scheme and a host, e.g. https://api.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def web_address(raw: str) -> str:
    """An absolute http(s) URL, e.g. ``https://www.example.com/``."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an absolute URL, e.g. https://www.example.com/")
    return raw


def int_list(raw: str) -> list[int]:
    return [int(part) for part in comma_list(raw)]


def rate(raw: str) -> str:
    """DRF's rate syntax, checked at start-up rather than on the first request."""
    amount, _slash, period = raw.partition("/")
    if not amount.isdigit() or period[:1] not in ("s", "m", "h", "d"):
        raise ValueError("expected a rate such as 600/minute")
    return raw


DEBUG = from_env("DEBUG", boolean, default=False)

# No usable secret lives in code. Without SECRET_KEY we fall back to a key made on
# first start and kept in var/ (ignored by git), so the embedded default runs with no
# setup while a production deployment must set its own.
SECRET_KEY = from_env("SECRET_KEY", str, default="")
# `check --deploy` fails on a generated key (clinic.checks, clinic.E002).
SECRET_KEY_GENERATED = not SECRET_KEY
if SECRET_KEY_GENERATED:
    from clinic.secret import local_secret_key

    SECRET_KEY = local_secret_key(BASE_DIR / "var" / "secret_key")

ALLOWED_HOSTS = from_env(
    "ALLOWED_HOSTS", comma_list, default=["127.0.0.1", "localhost"]
)
CSRF_TRUSTED_ORIGINS = from_env("CSRF_TRUSTED_ORIGINS", comma_list, default=[])

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "corsheaders",
    "axes",
    "adminsortable2",
    "django_prose_editor",
    # History and recovery; content models register in their apps' ready().
    "reversion",
    # Background work (publication.tasks): the backport of django.tasks and its
    # database backend, whose worker is `manage.py db_worker`.
    "django_tasks",
    "clinic.apps.TasksDatabaseConfig",
    "clinic",
    "publication",
    "content",
    "faq",
    "webhooks",
    "translations",
]

MIDDLEWARE = [
    # Outermost: every error under /api/ leaves as the one JSON error shape, and an
    # API request's database waits are bounded (DATABASE_API_TIMEOUT).
    "api.errors.ApiErrorMiddleware",
    # X-Request-ID: taken or made, on every log line of the request.
    "runtime.request_id.RequestIdMiddleware",
    # The HTTPS redirect of the next one to PUBLIC_ORIGIN, not the raw Host.
    "runtime.origin.HttpsRedirectOriginMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the API cache, so answers it gives early (a 429) are framed like all.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response, per kind of page (see the class).
    "clinic.middleware.ContentSecurityPolicyMiddleware",
    # /healthz and /readyz, before anything that could refuse a load balancer's
    # probe (the host check, sessions, the API's throttle and cache).
    "clinic.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Public API responses from the shared cache, with validators and Cache-Control;
    # a hit skips everything below (sessions, auth, CSRF: the API uses none).
    "api.cache.ApiCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The admin UI follows the editor's browser language; the API ignores it and
    # reads ?locale= only.
    "clinic.middleware.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# The app is mounted at the root (a path prefix is the proxy's to strip): a
# SCRIPT_NAME from the server, which gunicorn would even take from a client's request
# header, changes neither routing nor the links the API writes.
FORCE_SCRIPT_NAME = ""
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinic" / "templates"],
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
    "default": from_env(
        "DATABASE_URL",
        database_url,
        default=environ.Env.db_url_config(f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with the connection attempts of runtime.health.
    DATABASES["default"]["ENGINE"] = "runtime.postgresql"
    DATABASES["default"].setdefault("CONN_MAX_AGE", from_env("CONN_MAX_AGE", count, 60))
    # A reused connection is checked (SELECT 1) before a request's first query, so a
    # connection cut by a restart or failover is replaced, not a failed request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Whole seconds, at least 2 (libpq; psycopg applies the same rule). It bounds a
    # connection attempt of a public request too: see DATABASE_API_TIMEOUT below.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", from_env("DATABASE_CONNECT_TIMEOUT", count, 2)
    )
    # A database host that went away (crash, partition) is noticed by the kernel
    # within about 10 s instead of minutes to hours, also by the admin and commands,
    # which have no deadline: unacknowledged data or keepalive probes for
    # tcp_user_timeout ms drop the connection. A slow query is not cut: a live
    # server acknowledges them.
    for name, value in (
        ("keepalives", 1),
        ("keepalives_idle", 5),
        ("keepalives_interval", 2),
        ("keepalives_count", 3),
        ("tcp_user_timeout", 10_000),
    ):
        DATABASES["default"]["OPTIONS"].setdefault(name, value)
# How long into a public API request (and /readyz) a wait on the database may end,
# before it answers 503 (runtime.health.DatabaseDeadline); no connection attempt
# starts later, and one started before lasts up to connect_timeout: an outage is
# answered within DATABASE_API_TIMEOUT + DATABASE_CONNECT_TIMEOUT (1 + 2 = 3 s).
# PostgreSQL only; SQLite does not hang.
DATABASE_API_TIMEOUT = from_env("DATABASE_API_TIMEOUT", number, 1.0)

REDIS_URL = from_env("REDIS_URL", str, default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "runtime.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": from_env("CACHE_KEY_PREFIX", str, default="clinic"),
            # A cache that hangs must not hang the API: bounded waits, then the
            # response is served uncached (api/cache.py); after a failure,
            # calls fail at once for a moment (runtime/cache_backends.py).
            "OPTIONS": {
                "socket_connect_timeout": from_env(
                    "REDIS_CONNECT_TIMEOUT", number, 0.5
                ),
                "socket_timeout": from_env("REDIS_TIMEOUT", number, 0.5),
            },
        }
    }
else:
    # The embedded default: files under var/cache/, shared by every process on this
    # machine — the server, the background worker, `manage.py shell`, load_demo,
    # restore — so the content version any of them bumps on commit is the one the
    # server reads on its next request (an in-process cache would keep each
    # process's own). Files rather than a table in the SQLite database: a read is a
    # file read, without SQLite's lock that the admin and the worker write under,
    # and no response is written into the database or its backups (nor a
    # connection opened per request for it). A cached read costs little more than
    # in process, because each process keeps the entries it served and reads only
    # the version (api/cache.py; the options measured in docs/performance.md).
    # MAX_ENTRIES: past it a third of the entries is culled; Django's default of
    # 300 is soon reached by a few hundred objects' URLs in four locales.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            # Relative to the project folder, whatever folder a command runs in.
            "LOCATION": str(BASE_DIR / from_env("CACHE_DIR", str, default="var/cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Background tasks (publication.tasks: a scheduled publish time bumps the content
# version when it comes). The database backend, on SQLite and PostgreSQL alike: a
# task waits in the database that holds what it is about, survives restarts and
# backups with it, and needs no other service; its worker polls every second
# (`manage.py db_worker`, `make worker`, deploy/systemd/clinic-worker.service).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Publish webhooks (webhooks/, docs/webhooks.md): the worker posts each committed
# change of published content to the endpoints configured in the admin. A webhook
# URL is a way out of the server, so by default it must be https and resolve to
# public addresses only (checked when saved and again at each send); allow private
# addresses for an intranet receiver or the tests only.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = from_env(
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", boolean, default=False
)
WEBHOOK_REQUIRE_HTTPS = from_env("WEBHOOK_REQUIRE_HTTPS", boolean, default=not DEBUG)
# Seconds to connect, and to wait for the response (its whole read, not each byte).
WEBHOOK_CONNECT_TIMEOUT = from_env("WEBHOOK_CONNECT_TIMEOUT", number, default=5.0)
WEBHOOK_READ_TIMEOUT = from_env("WEBHOOK_READ_TIMEOUT", number, default=10.0)
# At most this much of a response is read (kept in the delivery's last error).
WEBHOOK_MAX_RESPONSE_BYTES = from_env(
    "WEBHOOK_MAX_RESPONSE_BYTES", count, default=64 * 1024
)
# Seconds to wait before each retry of a failed delivery; after the last, the
# delivery is marked failed and the endpoint's next one is sent. The default spans
# about 40 hours: 10 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 24 h.
WEBHOOK_RETRY_DELAYS = from_env(
    "WEBHOOK_RETRY_DELAYS",
    lambda raw: [number(item) for item in comma_list(raw)],
    default=[10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400],
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out (username, address) before the password
# is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages are code, not environment: each one is a set of database columns
# (django-modeltranslation). Adding one is a change here plus a migration; see the
# README. The first entry is the default (source) language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ko", _("Korean")),
    ("ja", _("Japanese")),
    ("zh-hans", _("Simplified Chinese")),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
# The admin shows every language; the public API never falls back (DESIGN §3), it
# reads the requested language's column explicitly.
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]

USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Seoul"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


# jQuery UI for modeltranslation's language tabs, served from the XStatic wheel
# instead of the CDN modeltranslation points at by default (clinic/staticfinders.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "clinic.staticfinders.VendorFileFinder",
]
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
# Files served at the site's root by WhiteNoise: /favicon.ico (tools/favicon.py
# draws it), which browsers ask every origin for.
WHITENOISE_ROOT = BASE_DIR / "clinic" / "root"

# Where `make run` serves; used in the messages it prints.
PORT = from_env("PORT", count, default=8000)

ADMIN_URL = from_env("ADMIN_URL", str, default="admin/").strip("/") + "/"

# Request-field limit (Django's default: 1,000 fields). The largest admin form is an
# article of 40 blocks in every language: 24 fields per block (each translated text
# once per language) plus about 60 for the article, some 1,020 fields in all, already
# over the default. 5,000 leaves room for about 200 blocks. A 6 × 12 comparison is far
# smaller (108 fields; its grid page 72 per language). The body stays under Django's
# 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE: such an article in four languages is about
# 0.2 MB urlencoded, CJK text percent-encoded at 9 bytes a character included
# (tests/admin/test_big_objects.py measures both).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# The largest translation file the admin imports (translations/files.py): the whole
# demo in one language is about 0.12 MB. Under nginx's client_max_body_size for the
# admin (16 MB, for image uploads: deploy/nginx.conf), which refuses a larger
# upload before Django reads it.
TRANSLATION_IMPORT_MAX_BYTES = from_env(
    "TRANSLATION_IMPORT_MAX_BYTES", count, default=3 * 1024 * 1024
)

# Anonymous rate limit per client address for the public API, e.g. "600/minute";
# empty (the default) leaves rate limiting to the CDN in front. Read on every request
# (api.throttling.ApiRateThrottle), so it can be changed without a code change.
API_THROTTLE_RATE = from_env("API_THROTTLE_RATE", rate, default=None)
# How many proxies in front append the address they saw to X-Forwarded-For: the
# client is the NUM_PROXIES-th address from the right; anything left of it was sent
# by the client and is ignored. 0 (the default, no proxy) uses the connecting
# address and ignores X-Forwarded-For altogether. Used by the API rate limit and the
# admin login lockout alike (api.throttling.client_ip). DRF's own default (None)
# would key on the whole header as sent, which any client can vary at will.
NUM_PROXIES = from_env("NUM_PROXIES", count, default=0)

# HTTP caching of the public API (api/cache.py). Responses carry
# Cache-Control: public, max-age=MAX_AGE (browsers), s-maxage=S_MAXAGE (the CDN, which
# can also purge by the Cache-Tag/Surrogate-Key headers), stale-while-revalidate and
# stale-if-error. Rendered responses are kept in the default cache under the content
# version, which every public change bumps on commit; TIMEOUT bounds how long an
# unchanged entry stays.
API_CACHE = {
    "ENABLED": from_env("API_RESPONSE_CACHE", boolean, default=True),
    "ALIAS": "default",
    "TIMEOUT": from_env("API_CACHE_TIMEOUT", count, default=24 * 3600),
    "MAX_AGE": from_env("API_CACHE_MAX_AGE", count, default=60),
    "S_MAXAGE": from_env("API_CACHE_S_MAXAGE", count, default=600),
    "STALE_WHILE_REVALIDATE": from_env(
        "API_CACHE_STALE_WHILE_REVALIDATE", count, default=60
    ),
    "STALE_IF_ERROR": from_env("API_CACHE_STALE_IF_ERROR", count, default=24 * 3600),
    # Each list's count kept per content version (api/pagination.py), also
    # with the response cache off; the tests turn it off with the cache.
    "COUNTS": True,
    # The delivery store (publication/documents.py): every response that depends
    # on no filter or search kept in the database until what it shows changes.
    # It writes under the content version, read from the cache (CACHES) even
    # with the response cache's entries off.
    "DOCUMENTS": from_env("API_DOCUMENT_STORE", boolean, default=True),
}

# The origin of the absolute URLs the API writes (pagination links, the root's
# endpoints) and of the HTTPS redirect, e.g. https://api.example.com. Empty: the
# request's host, without a trailing dot or a port the server does not listen on
# (runtime/origin.py).
PUBLIC_ORIGIN = from_env("PUBLIC_ORIGIN", public_origin, default="")

# Draft preview (api/preview.py, docs/preview.md): the frontend's preview route,
# with {locale}, {type} (faq_item, article, …), {slug}, {id} and {token}, e.g.
# https://www.example.com/api/draft?locale={locale}&type={type}&slug={slug}&token={token}
# (a Next.js route handler that enables Draft Mode). Empty: no preview links.
PREVIEW_URL_TEMPLATE = from_env("PREVIEW_URL_TEMPLATE", str, default="")
# How long a preview token is valid, in seconds.
PREVIEW_TOKEN_LIFETIME = from_env("PREVIEW_TOKEN_LIFETIME", count, 3600)

# The public website, where the admin's "View site" link leads, e.g.
# https://www.example.com/. Empty (the default): no such link (this app serves no
# website of its own: its / is a 404).
FRONTEND_URL = from_env("FRONTEND_URL", web_address, default="")

# Images (content/models/images.py, images/, docs/images.md). Uploads are kept as
# files under MEDIA_ROOT (served by `make run`; by nginx in production), or in any
# S3-compatible bucket when MEDIA_S3_BUCKET is set (django-storages; credentials
# from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment). MEDIA_URL
# is where readers fetch them. The API writes absolute addresses, which frontends
# on other origins use as they are: under a MEDIA_URL that is a path, on the API's
# own origin (PUBLIC_ORIGIN, else the request's, as its pagination links).
MEDIA_ROOT = from_env("MEDIA_ROOT", Path, default=BASE_DIR / "media")
MEDIA_URL = from_env("MEDIA_URL", str, default="/media/")
MEDIA_S3_BUCKET = from_env("MEDIA_S3_BUCKET", str, default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": from_env("MEDIA_S3_ENDPOINT_URL", str, default="") or None,
            "region_name": from_env("MEDIA_S3_REGION", str, default="") or None,
            # A CDN or the bucket's public address (host name, no scheme), e.g.
            # media.example.com; empty: the bucket's own address.
            "custom_domain": from_env("MEDIA_S3_CUSTOM_DOMAIN", str, default="")
            or None,
            "url_protocol": "https:"
            if from_env("MEDIA_S3_HTTPS", boolean, default=True)
            else "http:",
            # Public files under names nobody can guess or reuse: plain URLs,
            # never overwritten, cached for good.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable"
            },
        },
    }


def media_origins() -> list[str]:
    """Where the admin's pages load images from, besides their own origin (its
    Content-Security-Policy): MEDIA_URL's origin, or the bucket's."""
    origins = []
    if MEDIA_S3_BUCKET:
        options = STORAGES["default"]["OPTIONS"]
        if options["custom_domain"]:
            origins.append(f"{options['url_protocol']}//{options['custom_domain']}")
        elif options["endpoint_url"]:
            parts = urlsplit(options["endpoint_url"])
            origins.append(f"{parts.scheme}://{parts.netloc}")
        else:
            origins.append(f"https://{MEDIA_S3_BUCKET}.s3.amazonaws.com")
    parts = urlsplit(MEDIA_URL)
    if parts.scheme and parts.netloc:
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


MEDIA_ORIGINS = media_origins()
# Served by the app itself (django.views.static) under MEDIA_URL's path, as
# `make run` needs; production leaves it to nginx (deploy/nginx.conf) or the bucket.
SERVE_MEDIA = from_env("SERVE_MEDIA", boolean, default=not MEDIA_S3_BUCKET)
# What an upload may be: at most this many bytes (nginx's client_max_body_size for
# the admin is above it) and pixels (width × height, read before decoding: a
# decompression bomb is refused undecoded).
IMAGE_MAX_BYTES = from_env("IMAGE_MAX_BYTES", count, default=15_000_000)
IMAGE_MAX_PIXELS = from_env("IMAGE_MAX_PIXELS", count, default=40_000_000)
# The renditions the worker makes of every image: these widths (up to the image's
# own), in WebP and in the original format, uncropped and cropped to each ratio
# around the focal point.
IMAGE_WIDTHS = from_env("IMAGE_WIDTHS", int_list, default=[320, 640, 960, 1280, 1920])
IMAGE_CROP_RATIOS = from_env("IMAGE_CROP_RATIOS", comma_list, default=["16:9", "1:1"])

# The static edge export (publication/export.py, docs/static-export.md): a folder
# that `manage.py export_static` wrote, e.g. /srv/clinic-export. When set, every
# committed change of published content is applied to it by the worker (a new
# export folder with the changed documents; reload nginx to serve it). Empty (the
# default): the export changes only when the command runs.
STATIC_EXPORT_DIR = from_env("STATIC_EXPORT_DIR", str, default="")


REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    # Deny by default: public views opt in with AllowAny, one by one.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    # Always installed; it reads API_THROTTLE_RATE per request and lets everything
    # through while that is empty.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    "NUM_PROXIES": NUM_PROXIES,
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # No ?format= (an unknown parameter like any other) and no OPTIONS metadata.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_METADATA_CLASS": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic content API",
    "DESCRIPTION": (
        "Read-only, anonymous API of the clinic's patient-education content and FAQ. "
        "One language per request (?locale=); nothing unpublished or untranslated "
        "in that language is ever served. Errors share one shape: "
        '{"error": {"status", "code", "message", "details"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI and Redoc from drf-spectacular-sidecar's files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to swagger.io's online validator (nor its badge image).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LocaleEnum": "publication.languages.LANGUAGE_CODES",
        "HreflangEnum": "api.serializers.HREFLANGS",
        "ItemListKindEnum": "content.models.ItemList.Kind",
        "ChannelKindEnum": "content.models.ClinicChannel.Kind",
        "SitemapTypeEnum": "api.schema.SITEMAP_TYPES",
    },
    "SORT_OPERATIONS": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.strict_openapi",
    ],
}

# CORS for the frontends, on /api/ only, GET only, never with credentials.
CORS_ALLOWED_ORIGINS = from_env("CORS_ALLOWED_ORIGINS", comma_list, default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "filters": {
        # The X-Request-ID of the request being handled ("-" outside one).
        "request_id": {"()": "runtime.request_id.RequestIdFilter"},
        # A database outage is logged once per incident (runtime.health), not by
        # Django once per 503.
        "outage_logged": {"()": "runtime.health.OutageLoggedFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {
        "handlers": ["console"],
        "level": from_env("LOG_LEVEL", str.upper, "INFO"),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["outage_logged"]},
    },
}

# HTTPS and headers (README, "Security"). Behind a proxy that terminates HTTPS, the
# proxy must set X-Forwarded-Proto itself (overwriting what the client sent).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if from_env("BEHIND_HTTPS_PROXY", boolean, default=False)
    else None
)
# Plain-HTTP requests are redirected to HTTPS when HTTPS is terminated in front;
# SECURE_REDIRECT_EXEMPT (regexes) lets a load balancer's plain health check through:
# /healthz and /readyz always are.
SECURE_SSL_REDIRECT = from_env(
    "SECURE_SSL_REDIRECT", boolean, default=not DEBUG and bool(SECURE_PROXY_SSL_HEADER)
)
SECURE_REDIRECT_EXEMPT = [
    r"^healthz$",
    r"^readyz$",
    *from_env("SECURE_REDIRECT_EXEMPT", comma_list, default=[]),
]
# HSTS is sent on HTTPS responses only, and never in DEBUG. Roll it out in stages:
# a short max-age first (the default, one hour), then a year, then subdomains, then
# preload (hard to undo: browsers ship the list).
SECURE_HSTS_SECONDS = from_env("HSTS_SECONDS", count, default=3600)
if DEBUG:
    SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = from_env(
    "HSTS_INCLUDE_SUBDOMAINS", boolean, default=False
)
SECURE_HSTS_PRELOAD = from_env("HSTS_PRELOAD", boolean, default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = from_env(
    "SECURE_COOKIES", boolean, default=not DEBUG and bool(SECURE_PROXY_SSL_HEADER)
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Not HttpOnly: django-admin-sortable2's drag-and-drop reads the CSRF cookie from
# JavaScript to post the new order. The token is not a secret from the page itself.
CSRF_COOKIE_HTTPONLY = False

# Content-Security-Policy (django-csp; Django 5.2 has none built in). This is the
# admin's policy: nothing from any other origin. Inline styles are allowed because
# the admin, django-prose-editor and modeltranslation's tabs write style attributes;
# scripts are never inline. clinic.middleware.ContentSecurityPolicyMiddleware gives
# the API's JSON a policy that allows nothing, and the docs pages the hashes of their
# inline scripts plus what Redoc needs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        # blob: the image library's add page shows the chosen file before upload.
        "img-src": [SELF, "data:", "blob:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Admin login lockout (django-axes, README "Security"). Failures are counted per
# (username, client address): an attacker locks out only the pairs they try, never
# every editor behind the same office proxy or NAT, and guessing one editor's
# password from one address stops after AXES_FAILURE_LIMIT tries for
# AXES_COOLOFF_TIME hours. The client address is the one the API throttle uses
# (NUM_PROXIES trusted hops), so a forged X-Forwarded-For entry changes nothing.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = from_env("LOGIN_FAILURE_LIMIT", count, default=5)
AXES_COOLOFF_TIME = from_env("LOGIN_LOCKOUT_HOURS", number, default=0.25)
AXES_RESET_ON_SUCCESS = True
# Locks are lifted with `manage.py axes_reset` (or axes_reset_username); the admin
# lists content only.
AXES_ENABLE_ADMIN = False
AXES_CLIENT_IP_CALLABLE = "api.throttling.client_ip"
AXES_LOCKOUT_TEMPLATE = "clinic/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# Usernames, never passwords, in the failure log; no access log of every login.
AXES_DISABLE_ACCESS_LOG = True
