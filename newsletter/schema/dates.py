"""Every date the publication shows or writes, made and formatted in one place.

Dates are editorial. An issue is published on its ``date``, at the time of day and
in the time zone that ``publication.toml`` sets once (``[site] publication_time``
and ``time_zone``); it was last updated on the date of its latest corrections
entry, at the same time of day. Pages, the feed, ``archive.json``, the sitemap,
the sharing tags, the search metadata, the email and its ``Date`` header all take
their dates from here. Month names come from babel's CLDR data in the publication's language, and
times are written in UTC, so the machine's locale and time zone change nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC


def check_settings(time_of_day: str, zone: str) -> None:
    """Raise ``ValueError`` unless the settings name a time ``HH:MM`` and a known zone."""
    _time(time_of_day)
    try:
        _zone(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"time_zone {zone!r} is not an IANA time zone ({error})") from None


@cache
def _time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"publication_time {text!r} is not a time written HH:MM") from None


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def moment(day: dt.date, time_of_day: str, zone: str) -> dt.datetime:
    """The moment of publication on ``day``, as a timezone-aware datetime in UTC."""
    local = dt.datetime.combine(day, _time(time_of_day), tzinfo=_zone(zone))
    return local.astimezone(UTC)


def today(zone: str) -> dt.date:
    """Today's date where the publication is published."""
    return dt.datetime.now(_zone(zone)).date()


def local_date(when: dt.datetime, zone: str) -> dt.date:
    """The date of a moment where the publication is published."""
    return when.astimezone(_zone(zone)).date()


def long_date(day: dt.date | dt.datetime, language: str) -> str:
    """ "23 January 2026": the day as readers read it, in the publication's language."""
    # imported here: the checker, which writes no date, starts without babel (10 ms)
    from babel.dates import format_date

    return format_date(day, "d MMMM y", locale=language)


def timestamp(when: dt.datetime) -> str:
    """RFC 3339 in UTC, "2026-01-23T14:00:00Z": feeds, archive.json, sharing tags."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_minute(when: dt.datetime) -> str:
    """ "2026-01-23 14:00 UTC": the moment of a commit, on the home page."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def email_date(when: dt.datetime) -> str:
    """RFC 5322, "Fri, 23 Jan 2026 14:00:00 +0000": an email's ``Date`` header, in English
    whatever the language (the standard's names, from the email library, not the locale)."""
    from email.utils import format_datetime  # (not imported by the checker either)

    return format_datetime(when.astimezone(UTC))


def day(when: dt.datetime) -> str:
    """ "2026-01-23": the sitemap's ``lastmod``."""
    return when.astimezone(UTC).date().isoformat()
