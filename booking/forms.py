from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model

from booking.models import BookingRules
from clients.forms import validate_date_of_birth
from scheduling.models import Service

ANYONE = "any"


class ChooseForm(forms.Form):
    """Step 1: what, and with whom."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), widget=forms.RadioSelect, empty_label=None)
    therapist = forms.ChoiceField(label="With", widget=forms.RadioSelect)

    def __init__(self, *args, rules: BookingRules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = bookable_services(rules)
        self.fields["therapist"].choices = [(ANYONE, "Anyone available")] + [
            (str(user.pk), user.get_full_name() or user.username) for user in bookable_therapists(rules)
        ]
        self.fields["therapist"].initial = ANYONE


def bookable_services(rules: BookingRules):
    return rules.services.filter(active=True).order_by("position", "duration_minutes", "name")


def bookable_therapists(rules: BookingRules):
    return rules.therapists.filter(is_active=True).order_by("first_name", "last_name", "pk")


class DetailsForm(forms.Form):
    """Step 3: who is coming. `website` is a trap for robots: people never see it."""

    first_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}))
    website = forms.CharField(
        required=False,
        max_length=200,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_date_of_birth(self):
        return validate_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError("Enter a phone number we can call, with its area code.")
        return phone

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class RulesForm(forms.ModelForm):
    class Meta:
        model = BookingRules
        fields = [
            "enabled",
            "services",
            "therapists",
            "min_notice_hours",
            "horizon_days",
            "buffer_minutes",
            "step_minutes",
            "cancel_window_hours",
            "new_clients",
            "max_future_bookings",
        ]
        widgets = {"services": forms.CheckboxSelectMultiple, "therapists": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.active()
        self.fields["therapists"].queryset = get_user_model().objects.therapists()
        self.fields["therapists"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["step_minutes"].min_value = 5
        self.fields["horizon_days"].max_value = 366


class RefuseForm(forms.Form):
    message = forms.CharField(
        label="Message to the person who booked",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="We could not confirm this online booking. Please call the clinic to book your visit.",
        help_text="Sent by email. No health information.",
    )


def parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class WaitlistForm(forms.Form):
    """What would suit: the desk's form (with priority) and the client's (without)."""

    service = forms.ModelChoiceField(queryset=Service.objects.none())
    therapist = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    weekdays = forms.TypedMultipleChoiceField(
        label="Days that suit", choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    earliest = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}), initial="09:00")
    latest = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}), initial="18:00")
    until = forms.DateField(label="Waiting until", widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.IntegerField(min_value=-10, max_value=10, initial=0, required=False, help_text="Higher first.")

    def __init__(self, *args, services, therapists, desk: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["therapist"].queryset = therapists
        self.fields["therapist"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["until"].initial = date.today() + timedelta(days=30)
        if not desk:
            del self.fields["priority"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("earliest") and cleaned.get("latest") and cleaned["latest"] <= cleaned["earliest"]:
            self.add_error("latest", "The end of the hours must come after their start.")
        until = cleaned.get("until")
        if until and not date.today() <= until <= date.today() + timedelta(days=366):
            self.add_error("until", "Choose a day from today to a year ahead.")
        return cleaned


class JoinWaitlistForm(DetailsForm, WaitlistForm):
    """The client's own entry: who they are, and what would suit."""
