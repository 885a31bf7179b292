"""Calendar feeds (RFC 5545) with the icalendar package: one VEVENT per match, times in the event's
time zone with its VTIMEZONE, a stable UID and a SEQUENCE that grows when the match moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event


@dataclass(frozen=True)
class Happening:
    """One match as a calendar shows it; ``start`` naive UTC (as stored)."""

    uid: str
    start: dt.datetime
    minutes: int
    summary: str
    location: str | None
    description: str
    sequence: int
    stamp: dt.datetime  # naive UTC: when the feed last changed for this event


def calendar(name: str, happenings: Iterable[Happening], zone: str = "Europe/Paris") -> bytes:
    """The feed: a VCALENDAR named ``name`` whose events start in ``zone`` (with its VTIMEZONE)."""
    tz = ZoneInfo(zone)
    feed = Calendar()
    feed.add("prodid", "-//Cartel des Mines//Cartel//FR")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", zone)
    for h in happenings:
        event = Event()
        start = h.start.replace(tzinfo=dt.UTC).astimezone(tz)
        event.add("uid", h.uid)
        event.add("dtstamp", h.stamp.replace(tzinfo=dt.UTC))
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=h.minutes))
        event.add("summary", h.summary)
        if h.location:
            event.add("location", h.location)
        event.add("description", h.description)
        event.add("sequence", h.sequence)
        feed.add_component(event)
    feed.add_missing_timezones()
    return feed.to_ical()
