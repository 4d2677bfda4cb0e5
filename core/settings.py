"""One typed settings object, read from a TOML file and then from RABKOR_* environment variables.

Every stage gets its configuration from a `Settings` passed to it; nothing reads the
environment or the file elsewhere.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from rabkor.core.errors import ConfigError

DEFAULT_LANGUAGES = ("en", "es", "fr", "de", "pt", "ru", "zh", "ar")
DEFAULT_ENGINES = ("argos", "apertium")
SEARCH_ENGINES = ("tantivy", "whoosh")
CONFIG_ENV = "RABKOR_CONFIG"
DEFAULT_CONFIG = Path("rabkor.toml")


@dataclass(frozen=True)
class Settings:
    """Every setting Rabkor has; the `doc` of each field is listed by `rabkor settings`
    and `rabkor init --help`, and written into the `rabkor.toml` that `rabkor init`
    creates."""

    data_dir: Path = field(
        default=Path("data"), metadata={"doc": "Where the database, index and models live."}
    )
    database_url: str = field(
        default="",
        metadata={"doc": "SQLAlchemy URL; empty means SQLite at <data_dir>/rabkor.db."},
    )
    languages: tuple[str, ...] = field(
        default=DEFAULT_LANGUAGES,
        metadata={"doc": "Site languages (ISO 639-1), the first is the default."},
    )
    engines: tuple[str, ...] = field(
        default=DEFAULT_ENGINES,
        metadata={"doc": "Translation engines in order of preference: argos, apertium, "
                         "libretranslate."},
    )
    libretranslate_url: str = field(
        default="",
        metadata={"doc": "Base URL of a LibreTranslate server (engine `libretranslate`)."},
    )
    libretranslate_api_key: str = field(
        default="",
        repr=False,
        metadata={"doc": "API key sent to the LibreTranslate server; empty sends none.",
                  "secret": True},
    )
    secret_key: str = field(
        default="",
        repr=False,
        metadata={"doc": "Signs sessions; generated into <data_dir>/secret.key when empty.",
                  "secret": True},
    )
    host: str = field(default="127.0.0.1", metadata={"doc": "Address the web server binds."})
    port: int = field(default=8000, metadata={"doc": "Port the web server listens on."})
    workers: int = field(
        default=1,
        metadata={"doc": "Web server processes: more serve more readers on more cores (each "
                         "has its own page cache; the pipeline runs once, beside them)."},
    )
    site_title: str = field(default="Rabkor", metadata={"doc": "Name shown on the site."})
    podcast_image_url: str = field(
        default="",
        metadata={"doc": "Address of the site's square artwork (JPEG or PNG, 1400 to 3000 px) "
                         "for its RSS feeds: Apple's podcast directory lists a feed only with "
                         "one; other podcast apps take the feeds without."},
    )
    search_engine: str = field(
        default="tantivy",
        metadata={"doc": "The embedded search engine: tantivy (fast, the default) or whoosh "
                         "(pure Python). Changing it rebuilds the index at the next run."},
    )
    index_delay: float = field(
        default=1.0,
        metadata={"doc": "Seconds an editor's decision waits before the search index takes "
                         "it: the decisions made meanwhile go in one update, which no longer "
                         "runs beside the queue page the editor opens next."},
    )
    page_cache_seconds: int = field(
        default=10,
        metadata={"doc": "Seconds a rendered page or feed of the site is answered from memory "
                         "(0: never); a change by the desk (in any process on this data "
                         "directory) drops them at once."},
    )
    public_moderation_log: bool = field(
        default=False,
        metadata={"doc": "Show readers the moderation log at /<lang>/moderation: the "
                         "correspondents' links the editors turned down, when and with which "
                         "reason code, never who sent them (as Lobsters does)."},
    )
    registration: str = field(
        default="invitation",
        metadata={"doc": "How correspondents join: \"invitation\" (a one-time link from "
                         "anyone on the desk) or \"open\" (anyone applies at "
                         "/editor/apply and an editor lets them in)."},
    )
    anonymous_submissions: bool = field(
        default=True,
        metadata={"doc": "Accept links from visitors who are not signed in (the site's "
                         "form); false: correspondents only."},
    )
    submission_limits_account: str = field(
        default="10/hour;50/day",
        metadata={"doc": "Links a correspondent may send (form and API together) before "
                         "further ones get a 429 (limits notation, `;` between windows)."},
    )
    submission_limits_visitor: str = field(
        default="5/hour;20/day",
        metadata={"doc": "Links one visitor (a hash of the address, kept in memory only) "
                         "may send before further ones get a 429."},
    )
    new_account_days: int = field(
        default=7,
        metadata={"doc": "For this many days after joining, a correspondent may send links "
                         "only to sites the store already knows (0: no such rule)."},
    )
    smtp_host: str = field(
        default="",
        metadata={"doc": "Mail server that takes the e-mail notices telling correspondents "
                         "the desk's decisions on their links; empty: no e-mail is sent."},
    )
    smtp_port: int = field(default=587, metadata={"doc": "Port of the mail server."})
    smtp_user: str = field(
        default="", metadata={"doc": "User name to log in to the mail server; empty: none."}
    )
    smtp_password: str = field(
        default="",
        repr=False,
        metadata={"doc": "Password to log in to the mail server.", "secret": True},
    )
    smtp_from: str = field(
        default="",
        metadata={"doc": "The notices' sender address (news@example.org, or with a name: "
                         "Rabkor <news@example.org>); required with smtp_host."},
    )
    smtp_starttls: bool = field(
        default=True,
        metadata={"doc": "Switch the mail server connection to TLS (STARTTLS) before "
                         "logging in and sending; false only for a server on this machine."},
    )
    review_lock_minutes: int = field(
        default=10,
        metadata={"doc": "Minutes an editor's review lock on an item lasts without activity; "
                         "after that another editor may take the item."},
    )
    stats_enabled: bool = field(
        default=True,
        metadata={"doc": "Count readers' page views on the site (readership statistics: no "
                         "address is stored, only a key hashed with a salt of the month that "
                         "is destroyed when the month closes)."},
    )
    stats_honour_dnt: bool = field(
        default=True,
        metadata={"doc": "A browser sending Do Not Track or Global Privacy Control has its "
                         "views counted without a visitor key (not among distinct readers)."},
    )
    stats_heavy_hitter_pages: int = field(
        default=1000,
        metadata={"doc": "A visitor key with more pages than this in a month is left out of "
                         "that month's figures (and the report says so)."},
    )
    stats_burst_pages: int = field(
        default=30,
        metadata={"doc": "A visitor key with more pages than this within any 60 seconds "
                         "reads faster than a person: counted as a robot."},
    )
    stats_retention_days: int = field(
        default=31,
        metadata={"doc": "Days the single views of a closed month are kept; then only the "
                         "month's aggregates remain."},
    )
    crawl_interval: int = field(
        default=900,
        metadata={"doc": "Seconds between fetches of a source whose feed gives no better "
                         "measure (its update rate, TTL or Cache-Control)."},
    )
    run_cycle: int = field(
        default=60,
        metadata={"doc": "Seconds between the cycles of `rabkor run` (crawl the sources "
                         "that are due, translate, index)."},
    )
    min_poll_interval: int = field(
        default=900, metadata={"doc": "Shortest seconds between polls of a busy source."}
    )
    max_poll_interval: int = field(
        default=86400, metadata={"doc": "Longest seconds between polls of a quiet source."}
    )
    disable_after_failures: int = field(
        default=10, metadata={"doc": "A source failing this many times in a row is disabled."}
    )
    disable_after_days: float = field(
        default=7.0, metadata={"doc": "A source failing for longer than this is disabled."}
    )
    fetch_timeout: float = field(
        default=30.0, metadata={"doc": "Seconds before a fetch gives up."}
    )
    max_feed_bytes: int = field(
        default=10 * 1024 * 1024, metadata={"doc": "Largest feed body accepted, in bytes."}
    )
    parse_seconds: int = field(
        default=30,
        metadata={"doc": "Seconds one feed, article page or submitted file may take to be "
                         "read (parsed, its text extracted) before it is an error."},
    )
    full_text_pages: int = field(
        default=20,
        metadata={"doc": "Article pages fetched per source and crawl for the full text of "
                         "summary-only items (0: none)."},
    )
    allowed_loopback: tuple[str, ...] = field(
        default=(),
        metadata={"doc": "host:port pairs on loopback that fetches may reach (tests, demo)."},
    )
    public_url: str = field(
        default="",
        metadata={"doc": "The site's public base URL (https://news.example.org); WebSub "
                         "hubs call back at <public_url>/websub/<source id>. Empty: no "
                         "WebSub subscriptions, sources are polled only."},
    )
    trusted_hosts: tuple[str, ...] = field(
        default=(),
        metadata={"doc": "Host names the web server answers to (`*.example.org` matches "
                         "subdomains); a request naming another in its Host header gets a "
                         "400. Empty: the public_url's host, the host setting, localhost "
                         "and 127.0.0.1."},
    )
    login_limits_account: str = field(
        default="5/minute;20/hour",
        metadata={"doc": "Failed editor logins allowed per username before further tries "
                         "get a 429 (limits notation, `;` between windows)."},
    )
    login_limits_visitor: str = field(
        default="10/minute;50/hour",
        metadata={"doc": "Failed editor logins allowed per visitor (a hash of the address, "
                         "kept in memory only) before further tries get a 429."},
    )
    websub_lease_seconds: int = field(
        default=10 * 86400,
        metadata={"doc": "WebSub lease asked of hubs, in seconds; renewed an hour before it ends."},
    )
    argos_index_url: str = field(
        default="https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json",
        metadata={"doc": "Argos Translate package index."},
    )
    translate_full_text: str = field(
        default="approved",
        metadata={"doc": "Whose full texts to translate after titles and summaries: "
                         "none, approved (approved items only) or all (approved first)."},
    )
    translate_beam_size: int = field(
        default=2, metadata={"doc": "Beam size of batched Argos translation (1-4; 1 fastest)."}
    )
    translate_batch_tokens: int = field(
        default=4096, metadata={"doc": "Tokens per CTranslate2 batch of sentences."}
    )
    translate_retry_seconds: int = field(
        default=300,
        metadata={"doc": "First wait before a failed text is retried; doubles per failure."},
    )

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'rabkor.db'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    def with_(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(name: str, raw: object, kind: object) -> object:
    """Turn a TOML or environment value into the field's type, or say what is wrong."""
    try:
        if kind in ("Path", Path):
            return Path(str(raw)).expanduser()
        if kind in ("bool", bool):
            return _truth(raw)
        if kind in ("int", int):
            return int(raw)  # type: ignore[arg-type]
        if kind in ("float", float):
            return float(raw)  # type: ignore[arg-type]
        if str(kind).startswith("tuple"):
            items = raw.split(",") if isinstance(raw, str) else list(raw)  # type: ignore[arg-type]
            return tuple(str(i).strip() for i in items if str(i).strip())
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r}: cannot read {raw!r} ({exc})") from None


def _truth(raw: object) -> bool:
    """A TOML boolean, or an environment variable's true/false, yes/no, on/off, 1/0."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0"):
        return False
    raise ValueError("use true or false")


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then RABKOR_<NAME> environment variables."""
    env = dict(os.environ if env is None else env)
    path = path or Path(env.get(CONFIG_ENV, DEFAULT_CONFIG))
    values: dict[str, object] = {}
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        for key, raw in data.items():
            if key not in fields:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, raw, fields[key].type)
    for name, f in fields.items():
        raw = env.get(f"RABKOR_{name.upper()}")
        if raw is not None:
            values[name] = _coerce(name, raw, f.type)
    settings = Settings(**values)  # type: ignore[arg-type]
    if not settings.languages:
        raise ConfigError("setting 'languages' must name at least one language")
    if settings.podcast_image_url and not settings.podcast_image_url.startswith(
            ("https://", "http://")):
        raise ConfigError("setting 'podcast_image_url' must be an http(s) address")
    if settings.registration not in ("invitation", "open"):
        raise ConfigError("setting 'registration' must be \"invitation\" or \"open\"")
    if settings.workers < 1:
        raise ConfigError("setting 'workers' must be at least 1")
    if settings.page_cache_seconds < 0:
        raise ConfigError("setting 'page_cache_seconds' must be 0 or more")
    if settings.new_account_days < 0:
        raise ConfigError("setting 'new_account_days' must be 0 or more")
    if settings.review_lock_minutes < 1:
        raise ConfigError("setting 'review_lock_minutes' must be at least 1")
    for name in ("stats_heavy_hitter_pages", "stats_burst_pages"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name!r} must be at least 1")
    if settings.stats_retention_days < 0:
        raise ConfigError("setting 'stats_retention_days' must be 0 or more")
    if settings.smtp_host and not sender_address(settings.smtp_from):
        raise ConfigError("setting 'smtp_from' must be an e-mail address (news@example.org "
                          "or Rabkor <news@example.org>) when smtp_host is set")
    if settings.search_engine not in SEARCH_ENGINES:
        raise ConfigError(f"setting 'search_engine' is {settings.search_engine!r}; it must be "
                          f"one of {', '.join(SEARCH_ENGINES)}")
    return settings


def sender_address(value: str) -> str:
    """The bare address in `smtp_from` (a name may come with it), or "" if it holds none
    or holds a line break."""
    if "\r" in value or "\n" in value:
        return ""
    address = parseaddr(value)[1]
    return address if "@" in address.strip("@") else ""


def ensure_secret(settings: Settings) -> Settings:
    """Return settings with a secret key, generating and storing one when there is none."""
    if settings.secret_key:
        return settings
    key_file = settings.data_dir / "secret.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        key_file.chmod(0o600)
    return settings.with_(secret_key=key_file.read_text(encoding="utf-8").strip())


def documented() -> dict[str, str]:
    """Each setting and its documentation, for help texts and the test that checks them."""
    return {f.name: f.metadata.get("doc", "") for f in dataclasses.fields(Settings)}


def is_secret(name: str) -> bool:
    """Whether a setting holds a secret, which is never printed."""
    return bool(Settings.__dataclass_fields__[name].metadata.get("secret"))


def default(name: str) -> object:
    return Settings.__dataclass_fields__[name].default
