"""When to fetch a source next: its real update rate, what its server asked, and its failures.

A source that publishes ten items a day is polled about every 2.4 hours, one that
published nothing for a month once a day; the bounds are settings. The server's own
requests — RSS <ttl>, sy:updatePeriod/Frequency, Cache-Control max-age, Retry-After —
are minimums: a source is never polled sooner than its server asked (up to a week, so
a typo cannot silence a source for good). Failures back off exponentially, and a source
that keeps failing is disabled with the reason written on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DAY = timedelta(days=1)
RATE_WINDOW = timedelta(days=30)  # items older than this say nothing about today's rate
SERVER_HINT_CAP = 7 * 24 * 3600  # the longest wait a server can ask for, in seconds
MIN_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(days=1)
SY_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400,
              "monthly": 30 * 86400, "yearly": 365 * 86400}


@dataclass(frozen=True)
class Policy:
    """The scheduling settings, in one place: bounds of the interval and when to give up."""

    default_interval: timedelta
    min_interval: timedelta
    max_interval: timedelta
    disable_after_failures: int
    disable_after: timedelta

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(default_interval=timedelta(seconds=settings.crawl_interval),
                   min_interval=timedelta(seconds=settings.min_poll_interval),
                   max_interval=timedelta(seconds=settings.max_poll_interval),
                   disable_after_failures=settings.disable_after_failures,
                   disable_after=timedelta(days=settings.disable_after_days))


def items_per_day(times: Iterable[datetime], now: datetime) -> float | None:
    """Items a day over the last 30 days, from the items' times; None with no history.

    The span runs from the oldest recent item to now, so a feed that shows only its
    last ten items is not mistaken for a slow one, and a feed that went quiet slows
    down as time passes.
    """
    times = list(times)
    if not times:
        return None
    recent = [min(t, now) for t in times if t >= now - RATE_WINDOW]
    if not recent:
        return 0.0
    span = max(now - min(recent), DAY)
    return len(recent) / (span / DAY)


def poll_interval(rate: float | None, server_seconds: int | None, policy: Policy) -> timedelta:
    """About one poll per new item, within the bounds, and never sooner than the server asked."""
    if rate is None:
        interval = policy.default_interval
    elif rate <= 0:
        interval = policy.max_interval
    else:
        interval = DAY / rate
    interval = min(max(interval, policy.min_interval), policy.max_interval)
    if server_seconds:
        interval = max(interval, timedelta(seconds=min(server_seconds, SERVER_HINT_CAP)))
    return interval


def backoff(error_count: int, interval: timedelta, retry_after: int | None = None) -> timedelta:
    """The interval (at least 5 min) doubled per error, at most a day; Retry-After wins if later."""
    base = max(interval, MIN_BACKOFF)
    delay = min(base * 2 ** min(max(error_count - 1, 0), 16), MAX_BACKOFF)
    if retry_after:
        delay = max(delay, timedelta(seconds=min(retry_after, SERVER_HINT_CAP)))
    return delay


def disable_reason(error_count: int, failing_since: datetime, now: datetime, last_error: str,
                   policy: Policy) -> str | None:
    """Why a failing source should be disabled now, or None while it deserves more tries."""
    if last_error.startswith("HTTP 410"):
        return f"the server says the feed is gone for good ({last_error})"
    days = (now - failing_since) / DAY
    if error_count >= policy.disable_after_failures or now - failing_since > policy.disable_after:
        return (f"disabled after {error_count} failures in a row over {days:.1f} days "
                f"(since {failing_since:%Y-%m-%d %H:%M} UTC); last error: {last_error}")
    return None


def feed_update_seconds(feed: Mapping[str, object]) -> int | None:
    """The least interval a feed asks for: RSS <ttl> (minutes) or sy:updatePeriod/Frequency."""
    hints = []
    ttl = _positive_int(feed.get("ttl"))
    if ttl:
        hints.append(ttl * 60)
    period = SY_PERIODS.get(str(feed.get("sy_updateperiod", "")).strip().lower())
    if period:
        frequency = _positive_int(feed.get("sy_updatefrequency")) or 1
        hints.append(period // frequency)
    return min(max(hints), SERVER_HINT_CAP) if hints else None


def max_age_seconds(cache_control: str | None) -> int | None:
    """Cache-Control max-age (or s-maxage) in seconds, None when absent or unreadable."""
    for directive in (cache_control or "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() in ("max-age", "s-maxage"):
            seconds = _positive_int(value.strip().strip('"'))
            if seconds:
                return min(seconds, SERVER_HINT_CAP)
    return None


def retry_after_seconds(value: str | None, now: datetime) -> int | None:
    """Retry-After as seconds from now: either delay-seconds or an HTTP date."""
    if not value:
        return None
    seconds = _positive_int(value.strip())
    if seconds is None:
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = int((when - now).total_seconds())
    return min(seconds, SERVER_HINT_CAP) if seconds and seconds > 0 else None


def _positive_int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
