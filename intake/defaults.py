"""Defaults a new installation starts with (seeded after every migrate; see clinic/apps.py)."""

DEFAULT_CONSENT = """I consent to massage therapy at this clinic. The therapist has explained, or will explain, the treatment and its purpose before starting.

I understand that massage therapy is not a substitute for medical diagnosis or treatment, and that I should see a doctor for any condition that needs one.

I have told the clinic about my health, medications and conditions as fully as I can, and I will tell my therapist if anything changes.

Draping: I will be covered with a sheet or towel at all times except the area being worked on. I undress only to my comfort.

I may ask the therapist to change the pressure or technique, to avoid any area, or to stop the session at any time, for any reason. I may withdraw this consent at any time.

Sensitive areas (gluteals, chest wall, inner thigh, abdomen) are only worked on with my specific consent, which I give or refuse below and can change at any time."""


def ensure_consent_text(**kwargs) -> None:
    """A clinic always has a consent text to sign; the manager edits it (new versions)."""
    from intake.models import ConsentText

    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, text=DEFAULT_CONSENT)
