"""The value rules of the standard library that a literal argument can break (LANGUAGE.md §9):
durations (§9.4), timestamps (§9.8 `Date.parse`), non-empty names, retry counts, and the empty
input of `Promise.race`.

The checker applies them to literal arguments (FLOW203, §11.6 rule 4) and the VM to every
argument at run time, so both reject exactly the same values with the same reason.
"""

from __future__ import annotations

import enum
import json
import re
from decimal import Decimal

from flowlang.compiler.literals import number_key

# §9.4: durations may not exceed 3650 days.
MAX_DURATION_MS = 3650 * 24 * 60 * 60 * 1000

_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)")

_TIMESTAMP = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?)?"
)

_MAX_RETRIES = 100


def parse_duration(text: str) -> int | None:
    """The milliseconds a duration string denotes (§9.4: `"500ms"`, `"1h30m"`, `"1.5s"`: parts
    of digits with an optional fraction and a unit, summed, truncated to whole milliseconds), or
    None when it is not one or exceeds 3650 days."""
    position, total = 0, Decimal(0)
    while position < len(text):
        part = _DURATION_PART.match(text, position)
        if part is None:
            return None
        total += Decimal(part[1]) * _UNIT_MS[part[2]]
        position = part.end()
    return _whole_duration(total) if text else None


def duration_ms(value: object) -> int | None:
    """The milliseconds of a duration argument (§9.4): a number of seconds (finite, ≥ 0) or a
    duration string; None when `value` is not a valid duration."""
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        # Through the shortest decimal text, so `0.001` seconds is exactly 1 millisecond.
        return _whole_duration(Decimal(repr(value)) * 1000) if value != float("inf") else None
    return None


def _whole_duration(milliseconds: Decimal) -> int | None:
    whole = int(milliseconds)
    return whole if whole <= MAX_DURATION_MS else None


def parse_timestamp(text: str) -> int | None:
    """The epoch milliseconds of an ISO-8601 timestamp as `Date.parse` reads it (§9.8):
    `YYYY-MM-DD` (UTC midnight) or `YYYY-MM-DDTHH:MM[:SS[.fff…]]` with `Z`, `±HH:MM` or nothing
    (UTC); fractions beyond milliseconds are truncated. None when the text is not one, or names
    a date or time that does not exist."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = (int(match[part] or 0) for part in ("hour", "minute", "second"))
    if not (1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset = _zone_offset_minutes(match["zone"])
    if offset is None:
        return None
    milliseconds = int((match["fraction"] or "0")[:3].ljust(3, "0"))
    minutes = (_days_since_epoch(year, month, day) * 24 + hour) * 60 + minute - offset
    return (minutes * 60 + second) * 1000 + milliseconds


def _zone_offset_minutes(zone: str | None) -> int | None:
    """`Z` and no zone are UTC; `±HH:MM` must be a real offset (hours ≤ 23, minutes ≤ 59)."""
    if zone is None or zone == "Z":
        return 0
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 23 or minutes > 59:
        return None
    return (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_since_epoch(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 in the proleptic Gregorian calendar, for every four-digit year
    (Python's `datetime` stops at year 1; this is Howard Hinnant's `days_from_civil`)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


class Check(enum.StrEnum):
    """A rule of §9 that a literal argument (or option value) can break. The checker reports a
    literal that breaks it (FLOW203); the VM applies the same rule to every value."""

    DURATION = "duration"  # §9.4: seconds ≥ 0, or a duration string; at most 3650 days
    TIMESTAMP = "timestamp"  # §9.8: a `Date.parse` string (numbers are epoch milliseconds)
    NON_EMPTY = "non-empty"  # a non-empty string: task and workflow names, queues, keys
    RETRIES = "retries"  # §9.2: an integer count from 0 to 100 (fractions truncate)
    NON_EMPTY_ITEMS = "non-empty-items"  # §9.6: `Promise.race` needs at least one item


def literal_problem(check: Check, value: object) -> str | None:
    """Why `value` breaks `check`, worded for `<fn>: <reason>` (§8.2), or None if it does not.

    `value` is the literal as the checker sees it: a string, number, boolean or `None`, or a
    list or dict for an array or object literal (only its emptiness matters). A value of the
    wrong kind is not this function's concern (the argument's type is checked separately).
    """
    match check:
        case Check.DURATION if isinstance(value, str | int | float) and not isinstance(value, bool):
            return None if duration_ms(value) is not None else f"invalid duration {_show(value)}"
        case Check.TIMESTAMP if isinstance(value, str):
            return (
                None if parse_timestamp(value) is not None else f"invalid timestamp {_show(value)}"
            )
        case Check.NON_EMPTY if value == "":
            return "the string must not be empty"
        case Check.RETRIES if isinstance(value, int | float) and not isinstance(value, bool):
            return None if 0 <= int(value) <= _MAX_RETRIES else "retries must be from 0 to 100"
        case Check.NON_EMPTY_ITEMS if isinstance(value, list | dict) and not value:
            return "requires at least one item"
    return None


def _show(value: str | int | float) -> str:
    """A rejected literal as runtime messages quote it: strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return number_key(value)
