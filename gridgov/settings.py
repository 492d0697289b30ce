"""Django settings for gridgov, read from the environment.

GRIDGOV_DATABASE_URL  database URL (default: SQLite file ``gridgov.sqlite3`` in the working folder, WAL mode);
                      PostgreSQL 15+ via ``postgres://user@host:5432/name`` (psycopg 3).
GRIDGOV_SECRET_KEY    secret key (a public development default is used when unset: `gridgov serve` refuses it
                      outside the demo).
GRIDGOV_DATA_KEY      master key of the personal data at rest, base64 of 32 bytes (`gridgov data-key` makes one);
                      see gridgov/crypto.py and gridgov/keys.py.
GRIDGOV_DEBUG         "1" for debug pages.
GRIDGOV_ALLOWED_HOSTS comma-separated host names (default: 127.0.0.1,localhost).
GRIDGOV_DATA_DIR      folder for the SQLite file and uploads (default: the working folder).
GRIDGOV_AUDIT_ANCHOR_DIR, GRIDGOV_AUDIT_SIGNING_KEY, GRIDGOV_AUDIT_PUBLIC_KEY, GRIDGOV_AUDIT_ANCHOR_INTERVAL_S,
GRIDGOV_AUDIT_ANCHOR_MAIL_TO  the audit chain's signed anchors (see gridgov/audit/anchoring.py).
GRIDGOV_TOKEN_LIFETIME_DAYS  how long a new API token works unless another lifetime is asked for (default 90).
GRIDGOV_ADMIN_TOTP    "required": administrators must sign in with a TOTP code (they enrol at the first sign-in);
                      "optional" (default): an administrator may enrol at /accounts/totp/.
GRIDGOV_CLIENT_ADDRESS_HEADER  behind a reverse proxy: the request header with the client's address (e.g.
                      HTTP_X_REAL_IP), used by the throttles; default REMOTE_ADDR.
GRIDGOV_THROTTLE_<RULE>  "limit/window_s" of a throttle rule, e.g. GRIDGOV_THROTTLE_LOGIN_ACCOUNT=5/900.
GRIDGOV_HTTPS         "1" behind HTTPS: Secure cookies, HSTS (with GRIDGOV_HSTS_SECONDS, GRIDGOV_HSTS_SUBDOMAINS,
                      GRIDGOV_HSTS_PRELOAD, GRIDGOV_PROXY_SSL_HEADER, GRIDGOV_SSL_REDIRECT, GRIDGOV_CSRF_TRUSTED_ORIGINS,
                      GRIDGOV_CSP_REPORT_ONLY: see gridgov/security.py).
Several machines (issue #12; README 「多机部署」):
GRIDGOV_BROKER_URL    RabbitMQ (amqp://user:pass@host:5672//): background jobs and the periodic work run on Celery
                      workers (`gridgov worker`, one `gridgov beat`); GRIDGOV_BROKER_QUEUE the queue (default gridgov).
GRIDGOV_REDIS_URL     Redis (redis://host:6379/0): the cache and the sessions (cached_db) live there.
GRIDGOV_REPLICA_DATABASE_URL  a PostgreSQL read replica: the dashboards' read-only queries go there (gridgov/ops/db.py).
GRIDGOV_S3_BUCKET     photos and documents in S3-compatible object storage (django-storages), with
                      GRIDGOV_S3_ENDPOINT_URL, GRIDGOV_S3_ACCESS_KEY, GRIDGOV_S3_SECRET_KEY, GRIDGOV_S3_REGION,
                      GRIDGOV_S3_PREFIX; unset: the local disk under GRIDGOV_DATA_DIR/media.
GRIDGOV_METRICS_TOKEN /metrics for Prometheus with "Authorization: Bearer <token>" (or an administrator's session).
GRIDGOV_PG_SERVER_BINDING  "0" turns off psycopg server-side binding and prepared statements (PostgreSQL; on by
                      default — turn it off behind a transaction-mode connection pooler).
"""

import json
import os
from pathlib import Path

import dj_database_url

from gridgov import security

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GRIDGOV_DATA_DIR", os.getcwd()))

# The default is public (it is in the source): `gridgov serve` refuses it outside the demo (gridgov/keys.py).
DEFAULT_SECRET_KEY = "gridgov-development-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("GRIDGOV_SECRET_KEY", "").strip() or DEFAULT_SECRET_KEY
DEBUG = os.environ.get("GRIDGOV_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("GRIDGOV_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "gridgov",  # project-wide commands: serve, demo, bench
    "gridgov.accounts",
    "gridgov.geo",
    "gridgov.audit",
    "gridgov.notify",
    "gridgov.worktime",
    "gridgov.catalog",
    "gridgov.cases",
    "gridgov.basedata",
    "gridgov.dashboard",
    "gridgov.privacy",
    "gridgov.duty",  # 值班与应急 (duty helper)
    "gridgov.oversight",  # 市区联动与督办 (the city helper)
    "gridgov.tasks",  # tasks: 专项行动、专项工作、演练、例会
    "gridgov.inspection",  # inspection: checklists, plans, 回头看, 门前三包
    "gridgov.governance",  # matters: 矛盾纠纷调解, 信访
    "gridgov.patrol",  # patrol: plans, duty, tracks, coverage, attendance
    "gridgov.assess",  # assess: 考评 schemes, scoring runs, judgements, appeals (003 篇7)
    "gridgov.ledgers",  # ledgers: 考评台账 (quota 附件2, 倒查, 抽查, trainings, uptime, publicity)
    "gridgov.evaluation",  # evaluation: 满意度回访 and 条块双向考核 (two-way ratings)
    "gridgov.integrity",  # integrity: 弄虚作假核查 (flags, the scan, zeroed assessment items)
    "gridgov.performance",  # integrity: 人员考核 (monthly sheets, pay bands)
    "gridgov.kpi",  # kpi: the seeds' indicators (发现率, 派遣准确率, 处理率, …) for every level and period
    "gridgov.ops",  # scale: background outbox, health, metrics, 系统运行 from health checks, backup/restore
    "gridgov.open311",  # open311: Open311 GeoReport v2 server, api keys
    "gridgov.hotline",  # open311: 12345 exchange (work orders in, signed webhooks out)
    "gridgov.analytics",  # analytics: the per-day roll-up kept with every case change; figures for any period
    "gridgov.exports",  # exports: 案件导出 (Excel/CSV, column sets, background), the centre's big screen 大屏
    "gridgov.transparency",  # exports: 公开信息 (public figures, map, clocks, rankings, open data) under /open/
    "gridgov.briefs",  # briefs: 工作简报, 情况通报, 值班日报, 大数据分析报告 (Word/PDF), subscriptions
    "gridgov.mining",  # briefs: 数据挖掘 — hotspots, 屡禁不止, seasons, weak spots, forecasts
    "gridgov.addresses",  # basemap: 标准地址 (address register) and 底图 sources
    "gridgov.community",  # community: 公示牌, 温馨提示卡, 社区公示名录, 服务热线 and 监督电话
    "gridgov.notices",  # notices: 社区动态, 预警, 工作通知 with read receipts, residents' daily digest
    "gridgov.services",  # services: 便民服务 — 组团服务, volunteers and hours, 便民服务站 (15 分钟), 服务承诺, 居家养老
    "gridgov.party",  # party: 党建引领 — 网格党组织, 党员 (restricted), 党员报到, 承诺, 入户, 帮扶对子
    "gridgov.training",  # training: 培训考试 — courses, question banks, timed exams, certificates, sessions
    "gridgov.groups",  # groups: 人员网格 — organisations in groups, notices, whereabouts, 例会, dynamic groups
]

MIDDLEWARE = [
    "gridgov.ops.metrics.RequestMetricsMiddleware",  # scale: requests by view and status, latency (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # the policy: gridgov/security.py
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gridgov.guard.InputGuardMiddleware",  # NUL bytes refused; every /api/ answer {code, message}
    "gridgov.ops.db.ReplicaReadsMiddleware",  # scale: the dashboards' GET requests read from the replica
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gridgov.addresses.middleware.BasemapCSPMiddleware",  # basemap: img-src for the configured tile servers
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

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
                "gridgov.context.navigation",
                "gridgov.duty.context.on_duty",  # duty helper: 此刻在班 in the header
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("GRIDGOV_DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql") and os.environ.get("GRIDGOV_PG_SERVER_BINDING", "1") == "1":
    # psycopg 3 server-side binding: parameters travel apart from the SQL text, and a statement run twice on a
    # connection is prepared (parsed and planned once; Django leaves preparing off unless asked). The case
    # engine's statements all repeat: the audit append alone costs 0.5 ms unprepared, 0.2 ms prepared.
    # (Behind a transaction-mode connection pooler such as PgBouncer < 1.21, set GRIDGOV_PG_SERVER_BINDING=0.)
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}

# A read replica (PostgreSQL streaming replica): only the dashboards' read-only queries go there, through
# gridgov.ops.db.reading() — one place; writes and every other read stay on the primary.
if os.environ.get("GRIDGOV_REPLICA_DATABASE_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(os.environ["GRIDGOV_REPLICA_DATABASE_URL"].strip(), conn_max_age=60)
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # the tests: the same test database, another connection
DATABASE_ROUTERS = ["gridgov.ops.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# One cache for all `gridgov serve` workers (and servers). The table is made by `gridgov` before any command
# (createcachetable). Throttles do not live here: they need an atomic count (gridgov/accounts/throttle.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gridgov_cache"}}
# Several machines: the cache on Redis, and the sessions in the cache backed by the database (cached_db: a session
# survives a Redis restart). Unset: the cache table, database sessions — as on one machine.
REDIS_URL = os.environ.get("GRIDGOV_REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": os.environ.get("GRIDGOV_REDIS_PREFIX", "gridgov"),
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Files (photos, documents): the local disk under DATA_DIR/media, or S3-compatible object storage.
STORAGES = {
    "default": {"BACKEND": "gridgov.cases.storage.DataDirStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("GRIDGOV_S3_BUCKET", "").strip():
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["GRIDGOV_S3_BUCKET"].strip(),
        "endpoint_url": os.environ.get("GRIDGOV_S3_ENDPOINT_URL", "").strip() or None,
        "access_key": os.environ.get("GRIDGOV_S3_ACCESS_KEY", "").strip() or None,
        "secret_key": os.environ.get("GRIDGOV_S3_SECRET_KEY", "").strip() or None,
        "region_name": os.environ.get("GRIDGOV_S3_REGION", "").strip() or None,
        "location": os.environ.get("GRIDGOV_S3_PREFIX", "").strip(),
        "file_overwrite": True,  # content-addressed names: the same name is the same bytes
        "default_acl": None, "querystring_auth": True,
    }}
CSRF_FAILURE_VIEW = "gridgov.pages.csrf_failure"
# Content-Security-Policy (no inline script), cookies, HSTS, proxy header… from GRIDGOV_HTTPS and friends
globals().update(security.browser_settings(os.environ))
LOGOUT_REDIRECT_URL = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_ROOT = DATA_DIR / "media"  # exports: default_storage (export files) when no other storage is configured
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Personal data never goes to logs: only warnings and errors of our own code, no request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "gridgov": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Request bodies: a body read whole (JSON, forms, GeoJSON and CSV sent as the body) up to 10 MB; uploaded files
# above 2.5 MB go to a temporary file, not memory. Imports have their own limit (GRIDGOV["IMPORT_MAX_BYTES"]).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

GRIDGOV = {
    # patrol: how often the phone records a position while on duty (seconds; it also records after a move of
    # PATROL_MOVE_M metres), and anomaly thresholds overriding gridgov/patrol/logic/track.py Thresholds
    "PATROL_INTERVAL_S": float(os.environ.get("GRIDGOV_PATROL_INTERVAL_S", "30")),
    "PATROL_MOVE_M": float(os.environ.get("GRIDGOV_PATROL_MOVE_M", "10")),
    "PATROL_THRESHOLDS": {},
    # integrity: the detectors' thresholds overriding gridgov/integrity/logic/detectors.py Thresholds, and how often
    # `gridgov serve` runs the scan (seconds; 0 turns it off)
    "INTEGRITY_THRESHOLDS": {},
    "INTEGRITY_SCAN_INTERVAL_S": float(os.environ.get("GRIDGOV_INTEGRITY_SCAN_INTERVAL_S", "3600")),
    # open311: how often `gridgov serve` sends the 12345 outbox's due deliveries (0 = never; the hotline.sweep job)
    "HOTLINE_SWEEP_INTERVAL_S": float(os.environ.get("GRIDGOV_HOTLINE_SWEEP_INTERVAL_S", "60")),
    # Households per km² used to size 管理网格 where no household data exists yet (东城区: ≈ 700,000 people
    # on 41.8 km², ≈ 2.6 people per household → ≈ 6,400 households/km²).
    "DEFAULT_HOUSEHOLDS_PER_KM2": float(os.environ.get("GRIDGOV_HOUSEHOLDS_PER_KM2", "6400")),
    "UNIT_GRID_CELL_M": 100.0,
    "MANAGEMENT_GRID_HOUSEHOLDS": 300,
    "PHOTO_STORE": os.environ.get("GRIDGOV_PHOTO_STORE", "gridgov.cases.storage.StorageStore"),  # via STORAGES
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    # duplicates: open cases of the same matter within this distance and time window are suggested on intake
    "DUPLICATE_RADIUS_M": float(os.environ.get("GRIDGOV_DUPLICATE_RADIUS_M", "50")),
    "DUPLICATE_WINDOW_HOURS": float(os.environ.get("GRIDGOV_DUPLICATE_WINDOW_HOURS", "72")),
    "DUPLICATE_LIMIT": int(os.environ.get("GRIDGOV_DUPLICATE_LIMIT", "10")),  # suggestions shown, nearest first
    # background work (gridgov/background.py): "thread" (in this process, after the commit), "inline" (at once
    # after the commit: the tests), or Celery workers when GRIDGOV_BROKER_URL is set (amqp://guest:guest@127.0.0.1//)
    "BACKGROUND": os.environ.get("GRIDGOV_BACKGROUND", "thread"),
    "BROKER_URL": os.environ.get("GRIDGOV_BROKER_URL", ""),
    "BROKER_QUEUE": os.environ.get("GRIDGOV_BROKER_QUEUE", "gridgov"),
    # scale: /metrics for Prometheus (Bearer token; an administrator's session works too), and the health checks
    # that feed the 系统运行 record: a check failing for HEALTH_OUTAGE_MINUTES opens a 系统故障 period, recovery
    # closes it (gridgov/ops/health.py; HEALTH_INTERVAL_S: how often `gridgov serve`/the beat checks; 0: never)
    "METRICS_TOKEN": os.environ.get("GRIDGOV_METRICS_TOKEN", ""),
    "HEALTH_INTERVAL_S": float(os.environ.get("GRIDGOV_HEALTH_INTERVAL_S", "60")),
    "HEALTH_OUTAGE_MINUTES": float(os.environ.get("GRIDGOV_HEALTH_OUTAGE_MINUTES", "5")),
    # how often `gridgov serve` scans deadlines in the background (seconds; 0 turns it off)
    "SCAN_INTERVAL_S": float(os.environ.get("GRIDGOV_SCAN_INTERVAL_S", "60")),
    # how often `gridgov serve` erases personal data past its retention period (seconds; 0 turns it off)
    "PURGE_INTERVAL_S": float(os.environ.get("GRIDGOV_PURGE_INTERVAL_S", "86400")),
    # briefs: how often `gridgov serve` looks for subscriptions due (each pass is idempotent per period)
    "BRIEF_SUBSCRIPTIONS_INTERVAL_S": float(os.environ.get("GRIDGOV_BRIEF_SUBSCRIPTIONS_INTERVAL_S", "3600")),
    # in-memory indexes and rule tables re-check the database at most this often (see gridgov/fresh.py)
    "FRESH_CHECK_S": float(os.environ.get("GRIDGOV_FRESH_CHECK_S", "1")),
    # the audit chain's signed anchors, kept outside the database (gridgov/audit/anchoring.py)
    "AUDIT_ANCHOR_DIR": os.environ.get("GRIDGOV_AUDIT_ANCHOR_DIR", ""),  # default DATA_DIR/audit-anchors
    "AUDIT_SIGNING_KEY": os.environ.get("GRIDGOV_AUDIT_SIGNING_KEY", ""),  # Ed25519 private key (PEM) path
    "AUDIT_PUBLIC_KEY": os.environ.get("GRIDGOV_AUDIT_PUBLIC_KEY", ""),  # default: the signing key's public half
    "AUDIT_ANCHOR_INTERVAL_S": float(os.environ.get("GRIDGOV_AUDIT_ANCHOR_INTERVAL_S", "86400")),
    "AUDIT_ANCHOR_MAIL_TO": os.environ.get("GRIDGOV_AUDIT_ANCHOR_MAIL_TO", ""),
    # sign-in and the residents' case look-up: attempts per subject within a fixed window (gridgov/accounts/throttle.py);
    # beyond the limit even a right password / phone is refused until the window has passed
    "THROTTLE": {
        name: dict(zip(("limit", "window_s"), map(int, os.environ.get(
            "GRIDGOV_THROTTLE_" + name.upper().replace(".", "_"), default).split("/")), strict=True))
        for name, default in {
            "login.account": "5/900",  # wrong passwords for one account (a right one resets it)
            "login.address": "20/900",  # wrong passwords from one address, whatever the account
            "public.case": "5/900",  # wrong phones from one address for one case number
            "public.address": "20/900",  # wrong number/phone pairs from one address
            "open311.address": "300/60",  # open311: Open311 calls from one client address
            "open311.post": "120/3600",  # open311: service requests filed with one api key
            "open.address": "120/60",  # exports: requests to the public pages /open/ from one address
        }.items()
    },
    "CLIENT_ADDRESS_HEADER": os.environ.get("GRIDGOV_CLIENT_ADDRESS_HEADER", ""),
    # API tokens: the lifetime of a new token unless another is asked for (days), and the longest one may ask for
    "TOKEN_LIFETIME_DAYS": int(os.environ.get("GRIDGOV_TOKEN_LIFETIME_DAYS", "90")),
    "TOKEN_MAX_LIFETIME_DAYS": int(os.environ.get("GRIDGOV_TOKEN_MAX_LIFETIME_DAYS", "366")),
    # TOTP for administrators: "optional" (they may enrol) or "required" (they must; enrolment at the first sign-in)
    "ADMIN_TOTP": os.environ.get("GRIDGOV_ADMIN_TOTP", "optional"),
    # party: a 帮扶对子 without a visit in this many days is flagged 超期未走访 (the page and the API may ask for another N)
    "PARTY_PAIR_VISIT_DAYS": int(os.environ.get("GRIDGOV_PARTY_PAIR_VISIT_DAYS", "90")),
    # imports (residents, organisations, buildings, dwellings): the largest file and the most data rows of one
    # import; an .xlsx may unpack to at most 10 times the file limit (gridgov/basedata/importing.py)
    "IMPORT_MAX_BYTES": int(os.environ.get("GRIDGOV_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))),
    "IMPORT_MAX_ROWS": int(os.environ.get("GRIDGOV_IMPORT_MAX_ROWS", "200000")),
    # any request larger than this is refused before it is read (413): photos and import files included
    "REQUEST_MAX_BYTES": int(os.environ.get("GRIDGOV_REQUEST_MAX_BYTES", str(64 * 1024 * 1024))),
    # notify: outside channels of the messages (README 「消息与短信」); each is on when its URL / ids are set
    "NOTIFY": {
        "SMS_URL": os.environ.get("GRIDGOV_NOTIFY_SMS_URL", ""),  # the SMS gateway (HTTP JSON)
        "SMS_KEY": os.environ.get("GRIDGOV_NOTIFY_SMS_KEY", ""),
        "SMS_SECRET": os.environ.get("GRIDGOV_NOTIFY_SMS_SECRET", ""),  # signs each request (X-Signature)
        "SMS_SIGN": os.environ.get("GRIDGOV_NOTIFY_SMS_SIGN", ""),  # 短信签名
        "SMS_TEMPLATE": os.environ.get("GRIDGOV_NOTIFY_SMS_TEMPLATE", ""),  # default template code
        "WECOM_ROBOT_URL": os.environ.get("GRIDGOV_NOTIFY_WECOM_ROBOT_URL", ""),  # …/cgi-bin/webhook/send?key=
        "WECOM_API": os.environ.get("GRIDGOV_NOTIFY_WECOM_API", "https://qyapi.weixin.qq.com"),
        "WECOM_CORP_ID": os.environ.get("GRIDGOV_NOTIFY_WECOM_CORP_ID", ""),
        "WECOM_SECRET": os.environ.get("GRIDGOV_NOTIFY_WECOM_SECRET", ""),
        "WECOM_AGENT_ID": os.environ.get("GRIDGOV_NOTIFY_WECOM_AGENT_ID", ""),
        "EMAIL": os.environ.get("GRIDGOV_NOTIFY_EMAIL", "") == "1",  # through Django's EMAIL_* settings
        "TIMEOUT_S": float(os.environ.get("GRIDGOV_NOTIFY_TIMEOUT_S", "5")),
        "MAX_ATTEMPTS": int(os.environ.get("GRIDGOV_NOTIFY_MAX_ATTEMPTS", "8")),
        "SWEEP_INTERVAL_S": float(os.environ.get("GRIDGOV_NOTIFY_SWEEP_INTERVAL_S", "30")),
        "TIME_ZONE": "Asia/Shanghai",  # quiet hours are wall-clock times here
    },
    # exports: the most rows of one case export (beyond: a clear error), up to how many rows it is made at once in
    # the request (more: in the background, with progress), and how many days a finished file is kept
    "EXPORT_MAX_ROWS": int(os.environ.get("GRIDGOV_EXPORT_MAX_ROWS", "500000")),
    "EXPORT_SYNC_ROWS": int(os.environ.get("GRIDGOV_EXPORT_SYNC_ROWS", "2000")),
    "EXPORT_KEEP_DAYS": int(os.environ.get("GRIDGOV_EXPORT_KEEP_DAYS", "7")),
    # basemap: base maps (README 「底图与地址」). A 天地图 key adds 天地图矢量 and 天地图影像; GRIDGOV_BASEMAPS is a JSON
    # list of sources (xyz, wmts, tianditu, archive); .mbtiles/.pmtiles files in TILES_DIR (default DATA_DIR/tiles)
    # are served at /tiles/<file name>/{z}/{x}/{y}.<ext>. Nothing configured: a base drawn from our own data.
    "TIANDITU_KEY": os.environ.get("GRIDGOV_TIANDITU_KEY", ""),
    "BASEMAPS": json.loads(os.environ.get("GRIDGOV_BASEMAPS", "[]") or "[]"),
    "TILES_DIR": os.environ.get("GRIDGOV_TILES_DIR", ""),
    # basemap: the nearest address to a tap is searched within this radius (metres)
    "ADDRESS_NEAREST_M": float(os.environ.get("GRIDGOV_ADDRESS_NEAREST_M", "150")),
}
