from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from clients.models import Client
from clients.search import digits

OLDEST_PLAUSIBLE_AGE = 120
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15


def clean_phone_number(value: str) -> str:
    """Accept any common format; keep it tidy; refuse what cannot be dialled."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    if any(ch not in "0123456789+-(). /x" for ch in value.lower()):
        raise ValidationError("Use digits, spaces, brackets, dots, dashes or a leading +.")
    count = len(digits(value))
    if count < MIN_PHONE_DIGITS or count > MAX_PHONE_DIGITS:
        raise ValidationError(
            f"A phone number has {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits; this one has {count}."
        )
    return value


def validate_date_of_birth(dob: date) -> date:
    """Not in the future, and a plausible age."""
    today = date.today()
    if dob > today:
        raise ValidationError("The date of birth cannot be in the future.")
    # Age in whole years: the year difference alone would refuse someone who is 120.
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    if age > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(f"Check the year: that would make the age over {OLDEST_PLAUSIBLE_AGE}.")
    return dob


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = list(Client.PROFILE_FIELDS)
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "desk_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "preferred_name", "pronouns", "email"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        self.fields["date_of_birth"].widget.attrs["max"] = date.today().isoformat()

    def _clean_name(self, field: str) -> str:
        value = " ".join((self.cleaned_data.get(field) or "").split())
        if field in ("first_name", "last_name") and not value:
            raise ValidationError("This field is required.")
        return value

    def clean_first_name(self):
        return self._clean_name("first_name")

    def clean_last_name(self):
        return self._clean_name("last_name")

    def clean_preferred_name(self):
        return self._clean_name("preferred_name")

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))

    def clean_emergency_contact_phone(self):
        return clean_phone_number(self.cleaned_data.get("emergency_contact_phone"))

    def clean_date_of_birth(self):
        return validate_date_of_birth(self.cleaned_data["date_of_birth"])

    def likely_duplicates(self):
        """Existing clients who may be this person (excluding the one being edited)."""
        data = self.cleaned_data
        matches = Client.objects.likely_duplicates(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data.get("date_of_birth"),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
        ).for_list()
        if self.instance.pk:
            matches = matches.exclude(pk=self.instance.pk)
        return list(matches[:10])
