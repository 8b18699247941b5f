"""ISO 8601 durations as the credential-program contract writes them ("P3Y", "P90D", "PT30S", "P1Y6M").

Years and months are calendar units: a three-year cycle granted on 29 Feb ends on 28 Feb three years later (the
last day of the month when the day does not exist), never a fixed number of seconds. Weeks, days, hours, minutes
and seconds are exact. Negative and fractional durations (other than seconds) are refused: no program rule needs
them, and a typo should not silently shorten a certification.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from examengine.errors import InvalidInput

_PATTERN = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


@dataclass(frozen=True)
class Duration:
    text: str
    months: int  # years and months, both calendar units
    exact: timedelta  # weeks, days, hours, minutes and seconds

    def after(self, moment: datetime) -> datetime:
        """The moment this duration after `moment`."""
        return _add_months(moment, self.months) + self.exact

    def before(self, moment: datetime) -> datetime:
        """The moment this duration before `moment`."""
        return _add_months(moment - self.exact, -self.months)


def parse(text: str) -> Duration:
    """The duration `text` names; raises InvalidInput (code `invalid_duration`) with an example when it is not one."""
    found = _PATTERN.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if found is None:
        raise InvalidInput(
            f"{text!r} is not an ISO 8601 duration: write it like P3Y (three years), P90D (ninety days) or PT30S.",
            code="invalid_duration",
        )
    parts = {name: found.group(name) for name in ("years", "months", "weeks", "days", "hours", "minutes")}
    number = {name: int(value) if value else 0 for name, value in parts.items()}
    seconds = float(found.group("seconds") or 0)
    exact = timedelta(
        weeks=number["weeks"], days=number["days"], hours=number["hours"], minutes=number["minutes"], seconds=seconds
    )
    return Duration(text.strip().upper(), number["years"] * 12 + number["months"], exact)


def after(moment: datetime, text: str) -> datetime:
    return parse(text).after(moment)


def _add_months(moment: datetime, months: int) -> datetime:
    if months == 0:
        return moment
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
