"""Settings, read from the environment (and `.env` when present) with embedded defaults.

Every setting is documented in README.md. Tests pass overrides to `create_app`.
"""
import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _secret_key() -> str:
    """The SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def trusted_hosts(config: dict) -> list[str]:
    """The host names this site answers to; a request for any other gets a 400.

    TRUSTED_HOSTS (a comma-separated string or a list) when given, else BASE_URL's host
    plus localhost and 127.0.0.1, so the quick start and a health check on the machine work.
    """
    listed = config.get("TRUSTED_HOSTS") or []
    if isinstance(listed, str):
        listed = listed.split(",")
    hosts = [host.strip() for host in listed if host.strip()]
    base_host = urlsplit(config["BASE_URL"]).hostname or "localhost"
    return hosts or [base_host, "localhost", "127.0.0.1"]


def _instance_key(name: str, embedded: bool) -> str:
    """A data key from the environment; on SQLite (one machine), one generated once into
    instance/<name in lower case> (32 random bytes, base64).

    On PostgreSQL nothing is generated: a key made up on one host would not open what
    another wrote, so `create_app` refuses to start until the key is set.
    """
    if os.environ.get(name) or not embedded:
        return os.environ.get(name, "")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / name.lower()
    if not key_file.exists():
        # Written whole, then linked into place: of two first starts at once, one key wins
        # and both read it (a key lost to a race would lose what it encrypted).
        draft = INSTANCE_DIR / f".{name.lower()}.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w") as file:
            file.write(base64.b64encode(secrets.token_bytes(32)).decode())
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def load_settings() -> dict:
    """All settings as a dict, so `create_app` can lay test overrides on top."""
    load_dotenv(PROJECT_ROOT / ".env")
    database_url = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'campaign.sqlite3'}"
    )
    embedded = database_url.startswith("sqlite")
    redis_url = os.environ.get("REDIS_URL", "")
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    secure_cookies = _bool("SESSION_COOKIE_SECURE", base_url.startswith("https://"))
    return {
        "SECRET_KEY": _secret_key(),
        # Encrypts email addresses and comments at rest (campaign.common.crypto).
        "DATA_KEY": _instance_key("DATA_KEY", embedded),
        # Earlier data keys, comma-separated: they only decrypt, until `keys rotate` is done.
        "DATA_KEYS_RETIRED": os.environ.get("DATA_KEYS_RETIRED", ""),
        # Keys the blind index of addresses (campaign.common.hashing.email_index); never rotated.
        "INDEX_KEY": _instance_key("INDEX_KEY", embedded),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DB_POOL_SIZE": _int("DB_POOL_SIZE", 5),
        "DB_MAX_OVERFLOW": _int("DB_MAX_OVERFLOW", 10),
        "DB_STATEMENT_TIMEOUT_MS": _int("DB_STATEMENT_TIMEOUT_MS", 5000),
        "DB_POOL_TIMEOUT": _int("DB_POOL_TIMEOUT", 5),
        "DB_PING_AFTER_IDLE_SECONDS": _int("DB_PING_AFTER_IDLE_SECONDS", 1),
        "DB_RETRY_AFTER_SECONDS": _int("DB_RETRY_AFTER_SECONDS", 30),
        "REDIS_URL": redis_url,
        "CAMPAIGN_NAME": os.environ.get("CAMPAIGN_NAME", "Campaign statements"),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", ""),
        "BASE_URL": base_url,
        # Comma-separated; empty means BASE_URL's host and the local names (`trusted_hosts`).
        "TRUSTED_HOSTS": os.environ.get("TRUSTED_HOSTS", ""),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A logged-in session ends after this long without a request (it is marked permanent
        # at login, and each request sends it again with a new expiry).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_IDLE_HOURS", 12)),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "WTF_CSRF_TIME_LIMIT": _int("WTF_CSRF_TIME_LIMIT", 6 * 3600),
        "BABEL_DEFAULT_LOCALE": os.environ.get("BABEL_DEFAULT_LOCALE", "en"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": os.environ.get("LANGUAGES", "en,uk").split(","),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "SHARE_CARD_DIR": os.environ.get("SHARE_CARD_DIR", str(INSTANCE_DIR / "share-cards")),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get(
            "RATELIMIT_STORAGE_URI", redis_url or "memory://"
        ),
        # X-RateLimit-* on every limited answer costs two more Redis round trips per request;
        # a refusal still carries Retry-After (campaign.web) either way.
        "RATELIMIT_HEADERS_ENABLED": _bool("RATELIMIT_HEADERS_ENABLED", False),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "campaign"),
        # When Redis is away, each worker limits on its own rather than failing every request;
        # a Redis that does not answer at all holds a request up for a second at most.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": _bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True),
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        # Signing from one address and statement faster than this is held until confirmed;
        # only a flood far above what people at one meeting do is refused.
        "SIGN_HOLD_AFTER": os.environ.get("SIGN_HOLD_AFTER", "1 per minute;5 per 5 minutes"),
        "SIGN_FLOOD_LIMIT": os.environ.get("SIGN_FLOOD_LIMIT", "60 per minute"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        "LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT": os.environ.get(
            "LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT", "5 per 15 minutes"
        ),
        "LOGIN_SLOWDOWN_AFTER": _int("LOGIN_SLOWDOWN_AFTER", 5),
        "LOGIN_SLOWDOWN_SECONDS": _int("LOGIN_SLOWDOWN_SECONDS", 30),
        "LOGIN_SLOWDOWN_MAX_SECONDS": _int("LOGIN_SLOWDOWN_MAX_SECONDS", 15 * 60),
        "LOGIN_SLOWDOWN_FORGET_HOURS": _int("LOGIN_SLOWDOWN_FORGET_HOURS", 24),
        "LOGIN_DEVICE_DAYS": _int("LOGIN_DEVICE_DAYS", 365),
        "ABUSE_WINDOW_MINUTES": _int("ABUSE_WINDOW_MINUTES", 60),
        "ABUSE_BASELINE_DAYS": _int("ABUSE_BASELINE_DAYS", 7),
        "ABUSE_ADDRESS_THRESHOLD": _int("ABUSE_ADDRESS_THRESHOLD", 10),
        "ABUSE_SURGE_MIN": _int("ABUSE_SURGE_MIN", 25),
        "ABUSE_SURGE_FACTOR": _int("ABUSE_SURGE_FACTOR", 5),
        "REGISTER_RATE_LIMIT": os.environ.get(
            "REGISTER_RATE_LIMIT", "30 per 5 minutes;100 per hour"
        ),
        "ENDORSE_RATE_LIMIT": os.environ.get("ENDORSE_RATE_LIMIT", "10 per hour"),
        # Browsers ask again every time (a cheap 304 by the ETag when nothing changed), so a
        # signatory back on the page sees their signature counted; shared caches keep it for
        # PUBLIC_SHARED_MAX_AGE_SECONDS.
        "PUBLIC_MAX_AGE_SECONDS": _int("PUBLIC_MAX_AGE_SECONDS", 0),
        "PUBLIC_STALE_SECONDS": _int("PUBLIC_STALE_SECONDS", 60),
        # How long a shared cache (deploy/nginx.conf) keeps a public page: s-maxage.
        "PUBLIC_SHARED_MAX_AGE_SECONDS": _int("PUBLIC_SHARED_MAX_AGE_SECONDS", 5),
        # How long a public form's signed token is accepted after the page was served.
        "PUBLIC_FORM_TOKEN_MAX_AGE": _int("PUBLIC_FORM_TOKEN_MAX_AGE", 2 * 24 * 3600),
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 2),
        "SIGNATURES_PER_PAGE": _int("SIGNATURES_PER_PAGE", 50),
        "COUNT_SHARDS": _int("COUNT_SHARDS", 16),
        "MAX_TICKET_PRICE": _int("MAX_TICKET_PRICE", 10_000),
        "MAX_APPEAL_TARGET": _int("MAX_APPEAL_TARGET", 1_000_000_000),
        "PAYMENT_HOLD_MINUTES": _int("PAYMENT_HOLD_MINUTES", 30),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "CONSENT_VERSION": os.environ.get("CONSENT_VERSION", "2026-11-01"),
        "UPDATES_CONSENT_VERSION": os.environ.get("UPDATES_CONSENT_VERSION", "updates-2026-12-01"),
        "PRIVACY_CONTROLLER": os.environ.get("PRIVACY_CONTROLLER", "The campaign organisers"),
        "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", "privacy@example.org"),
        "RETENTION_DAYS": _int("RETENTION_DAYS", 180),
        "IP_HASH_RETENTION_DAYS": _int("IP_HASH_RETENTION_DAYS", 30),
        "OUTBOX_RETENTION_DAYS": _int("OUTBOX_RETENTION_DAYS", 30),
        "CONFIRMATION_MAX_AGE_DAYS": _int("CONFIRMATION_MAX_AGE_DAYS", 14),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "noreply@example.org"),
        "MAIL_SEND_IN_BACKGROUND": _bool("MAIL_SEND_IN_BACKGROUND", True),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "MAIL_BATCH_SIZE": _int("MAIL_BATCH_SIZE", 50),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 10),
        "MAIL_PER_RECIPIENT_DAILY": _int("MAIL_PER_RECIPIENT_DAILY", 3),
        "MAIL_RETRY_BASE_SECONDS": _int("MAIL_RETRY_BASE_SECONDS", 60),
        "MAIL_RETRY_MAX_SECONDS": _int("MAIL_RETRY_MAX_SECONDS", 6 * 3600),
        "MAIL_CLAIM_SECONDS": _int("MAIL_CLAIM_SECONDS", 300),
        # The OSDI API (/api/v1/): requests per API key (per client address without one).
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        # Webhooks: outgoing requests, retries, and when a failing endpoint is switched off.
        "WEBHOOK_TIMEOUT": _int("WEBHOOK_TIMEOUT", 10),
        "WEBHOOK_MAX_RESPONSE_BYTES": _int("WEBHOOK_MAX_RESPONSE_BYTES", 64 * 1024),
        "WEBHOOK_MAX_ATTEMPTS": _int("WEBHOOK_MAX_ATTEMPTS", 8),
        "WEBHOOK_RETRY_BASE_SECONDS": _int("WEBHOOK_RETRY_BASE_SECONDS", 60),
        "WEBHOOK_RETRY_MAX_SECONDS": _int("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600),
        "WEBHOOK_CLAIM_SECONDS": _int("WEBHOOK_CLAIM_SECONDS", 120),
        "WEBHOOK_BATCH_SIZE": _int("WEBHOOK_BATCH_SIZE", 50),
        "WEBHOOK_DISABLE_AFTER": _int("WEBHOOK_DISABLE_AFTER", 5),
        # Only for a receiver on this machine or network (development, tests): never in production.
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": _bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False),
        "WEBHOOK_REQUIRE_HTTPS": _bool("WEBHOOK_REQUIRE_HTTPS", True),
    }
