"""Turning the cells of a real export into values: dates in any common order, times, phone
numbers in any format, yes/no, statuses. Each parser raises BadValue with a reason that
names the problem, never the health data."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from timekeeping.timeutil import clinic_tz

EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers of plausible dates: 1900-03-01 to 2100-01-01.
EXCEL_SERIALS = range(61, 73051)
NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})\s*$")
ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WORDY_DATE = re.compile(r"^\s*(?:(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})|([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4}))\s*$", re.I)
YES = {"yes", "y", "true", "1", "x", "✓", "oui"}
NO = {"no", "n", "false", "0", "", "non"}
# A cell a spreadsheet would run as a formula when the data goes back into one: names and ids
# never start like one; free text may ("- stretch daily", "+1 phone") unless it computes.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
FORMULA = re.compile(r"^[=@\t\r]|^[+\-].*[=(|!]")
HTML_TAG = re.compile(r"<\s*/?\s*[a-z!][^>]*>", re.IGNORECASE)


class BadValue(ValueError):
    pass


class AmbiguousDate(BadValue):
    """Both 03/04/1987 orders are real dates: the person must say which order the file uses."""


def text(value, *, limit: int, what: str) -> str:
    value = "" if value is None else str(value).strip()
    if len(value) > limit:
        raise BadValue(f"{what} is longer than {limit} characters")
    return value


def plain_text(value, *, limit: int, what: str) -> str:
    """A name, id or email: refused when it holds a spreadsheet formula or HTML (a hostile file)."""
    value = text(value, limit=limit, what=what)
    if FORMULA_START.match(value):
        raise BadValue(f"{what} looks like a spreadsheet formula (starts with {value[0]!r}); fix it in the file")
    if HTML_TAG.search(value):
        raise BadValue(f"{what} contains HTML; fix it in the file")
    return value


def free_text(value, *, limit: int, what: str) -> str:
    """Notes and addresses: kept as written (pages escape HTML); a leading formula character is
    neutralised with an apostrophe, as spreadsheets do, so the text cannot run when exported."""
    value = text(value, limit=limit, what=what)
    if FORMULA.match(value):
        value = "'" + value
    return value


def parse_date(value, *, order: str = "") -> date | None:
    """A date from ISO, day-first, month-first, wordy (23 Nov 1987, Nov 23, 1987) or an Excel serial."""
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return _excel_serial(value)
    raw = str(value).strip()
    if raw.isdigit() and len(raw) <= 5:
        return _excel_serial(int(raw))
    if ISO_PREFIX.match(raw):
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            raise BadValue("is not a real date") from None
    if match := NUMERIC_DATE.match(raw.split(" ")[0] if " " in raw and ":" in raw else raw):
        return _numeric_date(*match.groups(), order=order)
    if match := WORDY_DATE.match(raw):
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[5], match[4], match[6])
        number = MONTHS.get(month.casefold())
        if number:
            try:
                return date(int(year), number, int(day))
            except ValueError:
                raise BadValue("is not a real date") from None
    raise BadValue("is not a date this importer knows (use 1987-11-23, 23/11/1987 or 11/23/1987)")


def _excel_serial(number) -> date:
    if int(number) not in EXCEL_SERIALS:
        raise BadValue("is a number, not a date")
    return EXCEL_EPOCH + timedelta(days=int(number))


def _numeric_date(first: str, second: str, third: str, *, order: str) -> date:
    if len(first) == 4:  # 1987/11/23
        year, month, day = int(first), int(second), int(third)
    else:
        year = int(third) if len(third) == 4 else _two_digit_year(int(third))
        a, b = int(first), int(second)
        if a > 12 and b <= 12:
            day, month = a, b
        elif b > 12 and a <= 12:
            month, day = a, b
        elif order == "dmy":
            day, month = a, b
        elif order == "mdy":
            month, day = a, b
        elif a == b:
            day = month = a
        else:
            raise AmbiguousDate("could be day-first or month-first")
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue("is not a real date") from None


def _two_digit_year(year: int) -> int:
    this_year = timezone.localdate().year % 100
    return 2000 + year if year <= this_year else 1900 + year


def date_order_hint(value) -> str:
    """'dmy' or 'mdy' when this cell alone shows the file's order (a part above 12), else ''."""
    if not isinstance(value, str):
        return ""
    raw = value.strip().split(" ")[0]
    match = NUMERIC_DATE.match(raw)
    if not match or len(match[1]) == 4:
        return ""
    a, b = int(match[1]), int(match[2])
    if a > 12 >= b:
        return "dmy"
    if b > 12 >= a:
        return "mdy"
    return ""


def is_ambiguous_date(value) -> bool:
    if not isinstance(value, str):
        return False
    match = NUMERIC_DATE.match(value.strip().split(" ")[0])
    return bool(match) and len(match[1]) != 4 and int(match[1]) <= 12 and int(match[2]) <= 12 and match[1] != match[2]


def parse_time(value) -> time | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, float) and 0 <= value < 1:  # Excel keeps a time as a fraction of a day
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    match = TIME.match(str(value))
    if not match:
        raise BadValue("is not a time")
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    meridiem = (match[4] or "").replace(".", "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise BadValue("is not a time")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadValue("is not a time")
    return time(hour, minute, second)


def parse_datetime(value, *, order: str = "", time_value=None) -> datetime | None:
    """An aware date and time: ISO with or without offset (2017-06-12T16:56:57Z), a date and a
    time in one cell (23/11/2024 2:30 PM) or in two. Without an offset it is the clinic's time."""
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and value > 60:
        whole = int(value)
        moment = datetime.combine(_excel_serial(whole), time()) + timedelta(days=float(value) - whole)
    else:
        raw = str(value).strip()
        moment = _iso_datetime(raw)
        if moment is None:
            date_part, _, time_part = raw.partition(" ")
            if not date_part:
                raise BadValue("is not a date and time")
            day = parse_date(date_part, order=order)
            clock = parse_time(time_part) if time_part.strip() else None
            moment = datetime.combine(day, clock or time())
    if time_value not in ("", None):
        moment = datetime.combine(moment.date(), parse_time(time_value))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=clinic_tz())
    return moment


def _iso_datetime(raw: str) -> datetime | None:
    if not ISO_PREFIX.match(raw) or len(raw) <= 10:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        return None


def parse_phone(value) -> str:
    """A phone number written the clinic's way: national format at home, +code abroad; as typed
    when it is not a phone number the library knows (an extension, a note)."""
    if value in ("", None):
        return ""
    raw = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if len(raw) > 40:
        raise BadValue("is too long for a phone number")
    try:
        number = phonenumbers.parse(raw, settings.CLINIC_COUNTRY)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(number):
        return raw
    home = phonenumbers.region_code_for_number(number) == settings.CLINIC_COUNTRY
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    formatted = phonenumbers.format_number(number, style)
    if number.extension:
        return formatted[:40]
    return formatted


def parse_email(value) -> str:
    value = plain_text(value, limit=254, what="The email").lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise BadValue("is not an email address") from None
    return value


def parse_yes(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    key = str(value or "").strip().casefold()
    if key in YES:
        return True
    if key in NO:
        return False
    # A date or any other mark in a "cancelled"/"did not arrive" column means yes.
    return True


def parse_money(value) -> Decimal | None:
    if value in ("", None):
        return None
    raw = re.sub(r"[^\d.,\-]", "", str(value))
    if raw.count(",") and not raw.count("."):
        raw = raw.replace(",", ".")
    raw = raw.replace(",", "")
    try:
        amount = Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadValue("is not an amount of money") from None
    if amount < 0 or amount >= Decimal("1000000"):
        raise BadValue("is not a fee this clinic could charge")
    return amount


def parse_minutes(value) -> int | None:
    if value in ("", None):
        return None
    raw = str(value).strip().lower()
    match = re.match(r"^(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*(?:m|min|mins|minutes)?)?$", raw)
    if not match or not (match[1] or match[2]):
        try:
            return int(float(raw))
        except ValueError:
            raise BadValue("is not a number of minutes") from None
    return int(match[1] or 0) * 60 + int(match[2] or 0)
