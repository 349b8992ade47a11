from datetime import date, time

from django import forms
from django.contrib.auth import get_user_model

from scheduling.models import Service
from timekeeping.timeutil import NonexistentLocalTime, local_datetime, occurrences, today, zone_label

User = get_user_model()  # the staff user (clinic.User); apps do not import the project package


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


# Wide enough for any real visit; a date near year 1 or 9999 would overflow once the
# visit's length or the time zone is added to it.
BOOKABLE_YEARS = 10


def occurrence_field() -> forms.ChoiceField:
    """Which of the two times, when the clocks show the start time twice (autumn)."""
    return forms.ChoiceField(
        choices=[("earlier", "The earlier one"), ("later", "The later one")],
        required=False,
        widget=forms.RadioSelect,
    )


class WhenFieldsMixin:
    """A clinic-local date and start time, turned into an aware moment (DST-safe).

    A time the clocks show twice (the hour repeated in autumn) is not guessed: the form
    offers both, with their zones, in its `occurrence` field, and asks until one is chosen.
    `time_is_repeated` says whether to show that field."""

    time_is_repeated = False

    def offer_occurrences(self, day, at) -> None:
        """Label the `occurrence` choices for this date and time, if the clocks show it twice.

        Unbound, the choice starts at the one the initial time is (a visit being moved)."""
        if not isinstance(day, date) or not isinstance(at, time):
            return
        moments = occurrences(day, at)
        if len(moments) != 2:
            return
        self.time_is_repeated = True
        field = self.fields["occurrence"]
        # The bound field keeps the label it had when validation began.
        field.label = self["occurrence"].label = (
            f"{at:%H:%M} happens twice on {day:%b %-d}: the clocks go back. Which one?"
        )
        field.choices = [
            ("earlier", f"{at:%H:%M} {zone_label(moments[0])}, the first time"),
            ("later", f"{at:%H:%M} {zone_label(moments[1])}, after the clocks go back"),
        ]
        if not self.is_bound and "occurrence" not in self.initial:
            self.initial["occurrence"] = "later" if at.fold else "earlier"

    def offer_initial_occurrences(self) -> None:
        if self.is_bound:
            return  # what was typed decides, in clean_when
        try:
            day = self.fields["date"].to_python(self.initial.get("date"))
            at = self.initial.get("time")
            at = at if isinstance(at, time) else self.fields["time"].to_python(at)
        except forms.ValidationError:
            return
        self.offer_occurrences(day, at)

    def clean_when(self, cleaned):
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and abs((day - today()).days) > BOOKABLE_YEARS * 366:
            self.add_error("date", f"Choose a date within {BOOKABLE_YEARS} years of today.")
        elif day and day < today():
            # The calendar's date box says so too (min), but only the server can be trusted.
            self.add_error("date", "That day is past: choose today or a later day.")
        elif day and at:
            try:
                earlier, later = local_datetime(day, at), local_datetime(day, at, fold=1)
            except NonexistentLocalTime as error:
                self.add_error("time", str(error))
            else:
                self.offer_occurrences(day, at)
                choice = cleaned.get("occurrence")
                if earlier == later:
                    cleaned["starts_at"] = earlier
                elif choice:
                    cleaned["starts_at"] = earlier if choice == "earlier" else later
                else:
                    self.add_error(
                        "occurrence",
                        f"The clocks show {at:%H:%M} twice that night. Choose the earlier or the later one.",
                    )
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
    occurrence = occurrence_field()
    outside_hours_ok = forms.BooleanField(label="Book outside the therapist's working hours", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = User.objects.therapists()
        self.fields["service"].queryset = Service.objects.active()
        self.fields["date"].widget.attrs["min"] = today().isoformat()
        self.offer_initial_occurrences()

    def clean(self):
        return self.clean_when(super().clean())


class RescheduleForm(WhenFieldsMixin, forms.Form):
    therapist = TherapistChoiceField(queryset=User.objects.none())
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        label="New start time", widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
    )
    occurrence = occurrence_field()
    outside_hours_ok = forms.BooleanField(label="Book outside the therapist's working hours", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = User.objects.therapists()
        self.offer_initial_occurrences()

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
