"""The intake form, one Django form per step.

Steps validate on their own (answers are saved per step) and are validated
again together on submission. Model-backed steps are ModelForms over Intake.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import QueryDict

from bodymap.regions import REGIONS, side_choices
from clients.forms import clean_phone_number, validate_date_of_birth
from intake.models import ConsentText, Intake
from intake.vocabulary import (
    CAUTION_ALLERGIES,
    DO_NOT_WORK_CHOICES,
    LASTING_CAUTIONS,
    PAIN_CHOICES,
    SENSITIVE_AREAS,
    SLEEP_QUALITY_CHOICES,
    STRESS_LEVEL_CHOICES,
    Allergy,
    Caution,
    HistoryKind,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
HISTORY_ROWS = 4
# What clients write for "no medications" (the form asks them to write "none").
NONE_WORDS = {"none", "no", "nil", "na", "n/a", "nothing"}

# Size limits of free-text answers (characters). Every answer has a limit: the intake keeps
# what was typed, valid or not, as a draft, and the website form is open to anyone.
LONG_TEXT = 2000
TEXT = 1000


def _yes_no_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer yes or no."},
    )


def _limit_text(field: forms.Field, limit: int) -> None:
    """Give a model TextField's form field a size limit (in the browser too)."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


def input_limit(field: forms.Field) -> int:
    """The most characters one value of this question may have."""
    if getattr(field, "max_length", None):
        return field.max_length
    if isinstance(field, forms.ChoiceField):
        return max((len(str(value)) for value, _ in field.choices), default=1)
    if isinstance(field, forms.DateField):
        return 40  # "September 30, 2025" and the other formats Django accepts
    return 20  # numbers, ticks


class LimitedAnswers:
    """A step form keeps only its own questions, each answer within its size limit.

    The answers of a step are saved as typed, valid or not, so that nothing is lost
    (`answers()` is what the draft keeps). A field posted more than once keeps its
    last value (as Django reads it), a multiple choice at most one of each choice,
    anything that is not a question of the step is dropped, and an answer longer than
    its limit is cut to it and marked next to its question. A hidden input (the drawn
    signature) that is too large is dropped instead: a cut drawing is no drawing.

    Step forms call `limit_answers()` at the end of `__init__`, once every field exists.
    """

    too_long: list[str]

    def limit_answers(self) -> None:
        self.too_long = []
        if not self.is_bound:
            return
        kept = QueryDict(mutable=True)
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if hasattr(self.data, "getlist"):
                values = self.data.getlist(key)
            else:
                value = self.data.get(key)
                values = [] if value is None else value if isinstance(value, list | tuple) else [value]
            values = [value if isinstance(value, str) else str(value) for value in values]
            if not values:
                continue
            if isinstance(field, forms.MultipleChoiceField):
                values = list(dict.fromkeys(values))[: len(field.choices)]
            else:
                values = values[-1:]
            limit = input_limit(field)
            if any(len(value) > limit for value in values):
                self.too_long.append(name)
                if field.widget.is_hidden:
                    continue
                values = [value[:limit] for value in values]
            kept.setlist(key, values)
        self.data = kept

    def answers(self) -> dict[str, list[str]]:
        """What the draft keeps of this step: the limited answers, as lists of strings."""
        return {key: self.data.getlist(key) for key in self.data}

    def initial_answers(self) -> dict:
        """The limited answers as the initial values of an unbound form: shown, not checked."""
        initial = {}
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if key in self.data:
                multiple = isinstance(field, forms.MultipleChoiceField)
                initial[name] = self.data.getlist(key) if multiple else self.data.get(key)
        return initial

    def too_large_message(self, name: str) -> str:
        """The message for a hidden input that was too large (there is nothing to show it next to)."""
        return f"{self[name].label} was too large to keep and was left out."

    def clean(self):
        cleaned = super().clean()
        for name in self.too_long:
            field = self.fields[name]
            if field.widget.is_hidden:
                self.add_error(None, self.too_large_message(name))
            else:
                limit = input_limit(field)
                self.add_error(
                    name,
                    f"This answer is too long: please keep it to {limit:,} characters. "
                    f"Only the first {limit:,} were kept.",
                )
        return cleaned


class ContactStepForm(LimitedAnswers, forms.Form):
    """Contact details. The new-client form also asks for name and date of birth."""

    first_name = forms.CharField(label="Legal first name", max_length=100)
    last_name = forms.CharField(label="Legal last name", max_length=100)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    preferred_name = forms.CharField(label="Name you like to be called", max_length=100, required=False)
    pronouns = forms.CharField(max_length=40, required=False)
    phone = forms.CharField(
        label="Mobile phone", max_length=40, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    email = forms.EmailField(required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"})
    )
    emergency_contact_name = forms.CharField(label="Emergency contact: name", max_length=200)
    emergency_contact_relationship = forms.CharField(label="Relationship", max_length=100, required=False)
    emergency_contact_phone = forms.CharField(
        label="Emergency contact: phone", max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )

    IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")

    def __init__(self, *args, ask_identity: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_identity:
            for name in self.IDENTITY_FIELDS:
                del self.fields[name]
        else:
            self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
            self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
            self.fields["date_of_birth"].widget.attrs["max"] = date.today().isoformat()
        self.limit_answers()

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_date_of_birth(self):
        return validate_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data["phone"])

    def clean_emergency_contact_phone(self):
        return clean_phone_number(self.cleaned_data["emergency_contact_phone"])

    def contact_json(self) -> dict:
        """The answers as JSON-safe values, keyed like Client fields."""
        return {
            name: value.isoformat() if isinstance(value, date) else value for name, value in self.cleaned_data.items()
        }


class ReasonStepForm(LimitedAnswers, forms.ModelForm):
    """Why the client comes, and where it hurts (the body map)."""

    class Meta:
        model = Intake
        fields = ["main_complaint", "duration", "onset", "better", "worse"]
        widgets = {
            "main_complaint": forms.Textarea(attrs={"rows": 3}),
            "duration": forms.RadioSelect,
            "onset": forms.Textarea(attrs={"rows": 2}),
            "better": forms.Textarea(attrs={"rows": 2}),
            "worse": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "main_complaint": "In your own words: where it bothers you and how it affects your day.",
            "onset": "For example: after a fall, gradually, after starting a new job.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration"].choices = self.fields["duration"].choices[1:]  # no blank radio
        for region in REGIONS:
            self.fields[f"area_{region.code}_side"] = forms.ChoiceField(
                label=f"{region.label}: where",
                choices=[("", "Not a concern"), *side_choices(region)],
                required=False,
                widget=forms.Select(attrs={"data-body-region": region.code}),
            )
            self.fields[f"area_{region.code}_pain"] = forms.TypedChoiceField(
                label=f"{region.label}: pain (0–10)",
                choices=[("", "Pain?"), *PAIN_CHOICES],
                coerce=int,
                empty_value=None,
                required=False,
            )
        _limit_text(self.fields["main_complaint"], LONG_TEXT)
        for name in ("onset", "better", "worse"):
            _limit_text(self.fields[name], TEXT)
        self.limit_answers()

    def clean(self):
        cleaned = super().clean()
        for region in REGIONS:
            side = cleaned.get(f"area_{region.code}_side")
            pain = cleaned.get(f"area_{region.code}_pain")
            if side and pain is None:
                self.add_error(f"area_{region.code}_pain", "Rate the pain from 0 (none) to 10 (worst imaginable).")
            if pain is not None and not side:
                self.add_error(f"area_{region.code}_side", "Choose the side, or clear the pain rating.")
        return cleaned

    def body_rows(self):
        """(region, side field, pain field) for each region, for the accessible list."""
        return [(r, self[f"area_{r.code}_side"], self[f"area_{r.code}_pain"]) for r in REGIONS]

    def areas(self) -> list[tuple[str, str, int]]:
        return [
            (r.code, self.cleaned_data[f"area_{r.code}_side"], self.cleaned_data[f"area_{r.code}_pain"])
            for r in REGIONS
            if self.cleaned_data.get(f"area_{r.code}_side")
        ]


class HealthStepForm(LimitedAnswers, forms.ModelForm):
    """Past injuries, conditions, medications, allergies and the caution checklist."""

    allergies = forms.MultipleChoiceField(
        label="Allergies or sensitivities", choices=Allergy.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Intake
        fields = ["medical_conditions", "medications", "allergies", "allergies_other"]
        widgets = {
            "medical_conditions": forms.Textarea(attrs={"rows": 2}),
            "medications": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "medical_conditions": "For example: arthritis, migraines, heart condition. Write “none” if none.",
            "medications": "Including pain relief and supplements. Write “none” if none.",
        }

    def __init__(self, *args, born: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.born = born
        for code, label in Caution.choices:
            self.fields[f"caution_{code}"] = _yes_no_field(label)
            self.fields[f"caution_{code}_details"] = forms.CharField(
                label=f"{label}: details", max_length=300, required=False
            )
        this_year = date.today().year
        for i in range(HISTORY_ROWS):
            self.fields[f"event_{i}_kind"] = forms.ChoiceField(
                label="Kind",
                choices=[("", "—"), *HistoryKind.choices],
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"event_{i}_year"] = forms.IntegerField(
                label="Year",
                min_value=1900,
                max_value=this_year,
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.fields[f"event_{i}_description"] = forms.CharField(
                label="What happened",
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        for name in ("medical_conditions", "medications"):
            _limit_text(self.fields[name], LONG_TEXT)
        self.limit_answers()

    def clean(self):
        cleaned = super().clean()
        for i in range(HISTORY_ROWS):
            kind, year, description = (cleaned.get(f"event_{i}_{part}") for part in ("kind", "year", "description"))
            if any((kind, year, description)):
                if not description:
                    self.add_error(f"event_{i}_description", "Say briefly what happened, or clear this row.")
                if not kind:
                    self.add_error(f"event_{i}_kind", "Choose injury, surgery or accident.")
                if not year:
                    self.add_error(f"event_{i}_year", "Give the year (an estimate is fine).")
                elif self.born and year < self.born.year:
                    self.add_error(f"event_{i}_year", "That year is before your year of birth. Please check it.")
        self._ask_about_contradictions(cleaned)
        return cleaned

    def _ask_about_contradictions(self, cleaned: dict) -> None:
        """Answers that cannot both be true: the client says which one is (nothing is guessed)."""
        for code, _ in Caution.choices:
            if cleaned.get(f"caution_{code}") is False and cleaned.get(f"caution_{code}_details"):
                # Details of a "no" would be dropped on submission, unseen by the therapist.
                self.add_error(
                    f"caution_{code}", "You answered No but wrote details. Answer Yes, or clear the details."
                )
        labels = dict(Allergy.choices)
        ticked = [labels[code].lower() for code in CAUTION_ALLERGIES if code in cleaned.get("allergies", [])]
        if ticked and cleaned.get("caution_allergy") is False:
            self.add_error(
                "caution_allergy",
                f"You ticked an allergy to {', '.join(ticked)} above. Answer Yes here, or untick it above.",
            )
            self.add_error("allergies", "This does not match your answer to “Allergy to oils, lotions or nuts” below.")
        medications = "".join(ch for ch in cleaned.get("medications", "").lower() if ch.isalnum() or ch == "/")
        if cleaned.get("caution_blood_thinners") and medications in NONE_WORDS:
            self.add_error(
                "medications",
                "You said you take blood thinners (below): please list them here, or answer No to that question.",
            )
            self.add_error(
                "caution_blood_thinners",
                "This does not match: you wrote “none” under medications above. List them there, or answer No here.",
            )

    @staticmethod
    def initial_from(intake: Intake) -> dict:
        """A returning client's lasting health answers, from their earlier intake (with its events)."""
        initial = {
            "medical_conditions": intake.medical_conditions,
            "medications": intake.medications,
            "allergies": list(intake.allergies),
            "allergies_other": intake.allergies_other,
        }
        for code in LASTING_CAUTIONS:
            initial[f"caution_{code}"] = "yes" if code in intake.cautions else "no"
            if code in intake.cautions:
                initial[f"caution_{code}_details"] = intake.caution_details.get(code, "")
        events = sorted(intake.history_events.all(), key=lambda e: (-e.year, e.id))[:HISTORY_ROWS]
        for i, event in enumerate(events):
            initial |= {
                f"event_{i}_kind": event.kind,
                f"event_{i}_year": event.year,
                f"event_{i}_description": event.description,
            }
        return initial

    def caution_rows(self):
        return [(label, self[f"caution_{code}"], self[f"caution_{code}_details"]) for code, label in Caution.choices]

    def history_rows(self):
        return [
            tuple(self[f"event_{i}_{part}"] for part in ("kind", "year", "description")) for i in range(HISTORY_ROWS)
        ]

    def cautions(self) -> tuple[list[str], dict[str, str]]:
        codes = [code for code, _ in Caution.choices if self.cleaned_data.get(f"caution_{code}")]
        details = {
            code: self.cleaned_data[f"caution_{code}_details"]
            for code in codes
            if self.cleaned_data.get(f"caution_{code}_details")
        }
        return codes, details

    def history_events(self) -> list[tuple[str, int, str]]:
        rows = []
        for i in range(HISTORY_ROWS):
            kind, year, description = (
                self.cleaned_data.get(f"event_{i}_{part}") for part in ("kind", "year", "description")
            )
            if description:
                rows.append((kind, year, description))
        return rows


class LifestyleStepForm(LimitedAnswers, forms.ModelForm):
    """Work, activity, sleep, stress; goals and preferences for treatment."""

    sleep_quality = forms.TypedChoiceField(
        label="How well do you sleep?", choices=SLEEP_QUALITY_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    stress_level = forms.TypedChoiceField(
        label="Your stress level lately (0–10)", choices=STRESS_LEVEL_CHOICES, coerce=int
    )
    do_not_work = forms.MultipleChoiceField(
        label="Areas you do not want worked on",
        choices=DO_NOT_WORK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Intake
        fields = [
            "occupation",
            "work_posture",
            "activity_level",
            "sports",
            "sleep_quality",
            "stress_level",
            "goals",
            "pressure",
            "do_not_work",
            "do_not_work_other",
            "draping",
        ]
        widgets = {
            "work_posture": forms.RadioSelect,
            "activity_level": forms.RadioSelect,
            "sports": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 2}),
            "pressure": forms.RadioSelect,
            "draping": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "goals": "For example: turn my head without pain, sleep better, recover faster after running.",
            "draping": (
                "You stay covered except for the area being worked on. "
                "Tell us anything that makes you more comfortable."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("work_posture", "activity_level"):
            self.fields[name].choices = self.fields[name].choices[1:]
        self.fields["pressure"].choices = [("", "No preference"), *self.fields["pressure"].choices[1:]]
        for name in ("sports", "goals", "draping"):
            _limit_text(self.fields[name], TEXT)
        self.limit_answers()

    # Sleep, stress and goals are about now; these stay true from one intake to the next.
    LASTING = ("occupation", "work_posture", "activity_level", "sports", "pressure", "do_not_work_other", "draping")

    @classmethod
    def initial_from(cls, intake: Intake) -> dict:
        """A returning client's lasting answers and preferences, from their earlier intake."""
        return {name: getattr(intake, name) for name in cls.LASTING} | {"do_not_work": list(intake.do_not_work)}


class ConsentStepForm(LimitedAnswers, forms.ModelForm):
    """Consent to treatment (the clinic's current text) and a typed signature."""

    consent_version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label="I have read and agree to the consent above",
        error_messages={"required": "Please tick to confirm you agree, or contact the clinic with questions."},
    )
    signature_name = forms.CharField(
        label="Type your full name as your signature",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signature_drawing = forms.CharField(
        label="Drawn signature", required=False, widget=forms.HiddenInput, max_length=200_000
    )

    class Meta:
        model = Intake
        fields = ["signature_name", "signature_drawing"]

    def __init__(self, *args, consent: ConsentText, avoid_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.avoid_areas = set(avoid_areas)  # "do not work on" answered on the lifestyle step
        self.fields["consent_version"].initial = consent.version
        for code, label in SENSITIVE_AREAS:
            self.fields[f"consent_{code}"] = _yes_no_field(f"May we work on the {label.lower()} when it helps?")
        self.order_fields(
            ["consent_version", *[f"consent_{code}" for code, _ in SENSITIVE_AREAS], "agree", "signature_name"]
        )
        self.limit_answers()

    def too_large_message(self, name: str) -> str:
        if name == "signature_drawing":
            return "The drawn signature was too large to keep. Please draw it again, or leave it out."
        return super().too_large_message(name)

    def clean(self):
        cleaned = super().clean()
        for code, label in SENSITIVE_AREAS:
            if cleaned.get(f"consent_{code}") and code in self.avoid_areas:
                self.add_error(
                    f"consent_{code}",
                    f"You asked us not to work on the {label.lower()} (in “Lifestyle and preferences”). "
                    "Answer No here, or go back and untick it there.",
                )
        return cleaned

    def clean_consent_version(self):
        version = self.cleaned_data["consent_version"]
        if version != self.consent.version:
            raise ValidationError(
                "The clinic updated its consent text while you were filling in the form. Please read it again."
            )
        return version

    def clean_signature_name(self):
        name = " ".join(self.cleaned_data["signature_name"].split())
        if len(name) < 2:
            raise ValidationError("Type your full name.")
        return name

    def clean_signature_drawing(self):
        drawing = self.cleaned_data.get("signature_drawing", "")
        if drawing and not drawing.startswith("data:image/png;base64,"):
            return ""  # only a PNG from the signature pad is kept
        return drawing

    def sensitive_rows(self):
        return [self[f"consent_{code}"] for code, _ in SENSITIVE_AREAS]


class IdentityForm(forms.Form):
    """The client proves the link is theirs before any answer is shown."""

    last_name = forms.CharField(
        label="Your last name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}))


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type


STEPS = (
    Step("contact", "Contact", ContactStepForm),
    Step("reason", "Reason and body map", ReasonStepForm),
    Step("health", "Health history", HealthStepForm),
    Step("lifestyle", "Lifestyle and preferences", LifestyleStepForm),
    Step("consent", "Consent and signature", ConsentStepForm),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


class ConsentTextForm(forms.ModelForm):
    class Meta:
        model = ConsentText
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14})}
        labels = {"text": "Consent text clients read and sign"}


class AcceptIntakeForm(forms.Form):
    """Which of the contact details the client gave should update their profile."""

    update_fields = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, contact_changes: list[tuple[str, str, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["update_fields"].choices = [(name, label) for name, label, _, _ in contact_changes]
        self.fields["update_fields"].label = "Update the client profile with"
