from datetime import time

from django import forms

from clinic.models import User
from clinic.timeutil import NonexistentLocalTime, local_datetime, today
from sessions.models import Service


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


# Wide enough for any real visit; a date near year 1 or 9999 would overflow once the
# visit's length or the time zone is added to it.
BOOKABLE_YEARS = 10


class WhenFieldsMixin:
    """A clinic-local date and start time, turned into an aware moment (DST-safe)."""

    def clean_when(self, cleaned):
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and abs((day - today()).days) > BOOKABLE_YEARS * 366:
            self.add_error("date", f"Choose a date within {BOOKABLE_YEARS} years of today.")
        elif day and at:
            try:
                cleaned["starts_at"] = local_datetime(day, at)
            except NonexistentLocalTime as error:
                self.add_error("time", str(error))
        return cleaned


class BookingForm(WhenFieldsMixin, forms.Form):
    therapist = TherapistChoiceField(queryset=User.objects.none())
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
    )
    desk_notes = forms.CharField(
        label="Notes for the desk",
        max_length=300,
        required=False,
        help_text="Scheduling notes only (e.g. prefers mornings). No health information.",
    )
    outside_hours_ok = forms.BooleanField(label="Book outside the therapist's working hours", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = User.objects.therapists()
        self.fields["service"].queryset = Service.objects.active()
        self.fields["date"].widget.attrs["min"] = today().isoformat()

    def clean(self):
        return self.clean_when(super().clean())


class RescheduleForm(WhenFieldsMixin, forms.Form):
    therapist = TherapistChoiceField(queryset=User.objects.none())
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        label="New start time", widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
    )
    outside_hours_ok = forms.BooleanField(label="Book outside the therapist's working hours", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = User.objects.therapists()

    def clean(self):
        return self.clean_when(super().clean())


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="For example: client ill, client rescheduled, therapist unavailable."
    )


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "duration_minutes", "fee", "active", "position"]
        help_texts = {
            "position": "Lower numbers are listed first.",
            "fee": "Changing a fee never changes visits already booked.",
        }


class DayForm(forms.Form):
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


DEFAULT_OPENING = time(8, 0)
DEFAULT_CLOSING = time(20, 0)
