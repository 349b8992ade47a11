"""Phone numbers as texts need them: E.164 (+15550102000), read in the clinic's country."""

import phonenumbers
from django.conf import settings


class InvalidNumber(ValueError):
    pass


def to_e164(raw: str, *, country: str | None = None) -> str:
    """'(555) 010-2000' -> '+15550102000' in the clinic's country (CLINIC_COUNTRY); numbers
    written with + and a country code keep theirs. InvalidNumber when it cannot be one.

    Possible, not validated against the numbering plan: the made-up 555 numbers of the demo and
    tests are possible numbers; the provider refuses numbers that do not exist.
    """
    raw = (raw or "").strip()
    if not raw:
        raise InvalidNumber("No number.")
    try:
        number = phonenumbers.parse(raw, country or settings.CLINIC_COUNTRY)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"{raw!r} is not a phone number.") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidNumber("That number has too few or too many digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def for_display(e164: str) -> str:
    """+15550102000 as the desk writes it: (555) 010-2000 at home, +44 20 7946 0000 abroad."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = number.country_code == phonenumbers.country_code_for_region(settings.CLINIC_COUNTRY)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
