from types import SimpleNamespace

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from bodymap.regions import REGIONS, side_choices
from clients.models import Pressure
from intake.vocabulary import PAIN_CHOICES
from sessions.models import Assessment, SessionNote, Technique, TreatmentPlan
from sessions.services import missing_for_signature
from sessions.vocabulary import Movement, Posture, RomResult, Severity, Temperature, TestSide, Texture

PAIN_SELECT = [("", "—"), *PAIN_CHOICES]


def _technique_choices(extra: list[str] = ()) -> list[tuple[str, str]]:
    names = list(Technique.objects.active().values_list("name", flat=True))
    names += [name for name in extra if name not in names]  # keep retired ones a draft already uses
    return [(name, name) for name in names]


class BodyAreasMixin:
    """Per-region fields (side, pain, pressure, techniques) for the accessible body-map list."""

    def add_area_fields(self, techniques: list[tuple[str, str]], initial_areas=()):
        by_region = {area.region: area for area in initial_areas}
        for region in REGIONS:
            area = by_region.get(region.code)
            prefix = f"area_{region.code}"
            self.fields[f"{prefix}_side"] = forms.ChoiceField(
                label=f"{region.label}: worked",
                choices=[("", "Not worked"), *side_choices(region)],
                required=False,
                initial=area.side if area else "",
                widget=forms.Select(attrs={"data-body-region": region.code, "class": "form-select form-select-sm"}),
            )
            self.fields[f"{prefix}_pain"] = forms.TypedChoiceField(
                label=f"{region.label}: pain",
                choices=PAIN_SELECT,
                coerce=int,
                empty_value=None,
                required=False,
                initial=area.pain if area else "",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{prefix}_pressure"] = forms.ChoiceField(
                label=f"{region.label}: pressure",
                choices=[("", "Pressure"), *Pressure.choices],
                required=False,
                initial=area.pressure if area else "",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{prefix}_techniques"] = forms.MultipleChoiceField(
                label=f"{region.label}: techniques",
                choices=techniques,
                required=False,
                initial=list(area.techniques) if area else [],
                widget=forms.CheckboxSelectMultiple,
            )

    def area_rows(self):
        return [
            (region, *(self[f"area_{region.code}_{part}"] for part in ("side", "pain", "pressure", "techniques")))
            for region in REGIONS
        ]

    def areas(self) -> list[dict]:
        rows = []
        for region in REGIONS:
            prefix = f"area_{region.code}"
            side = self.cleaned_data.get(f"{prefix}_side")
            if side:
                rows.append(
                    {
                        "region": region.code,
                        "side": side,
                        "pain": self.cleaned_data.get(f"{prefix}_pain"),
                        "pressure": self.cleaned_data.get(f"{prefix}_pressure") or "",
                        "techniques": self.cleaned_data.get(f"{prefix}_techniques") or [],
                    }
                )
        return rows


# What missing_for_signature (sessions/services.py) names, and the fields that supply it.
SIGNING_FIELDS = {
    "pain before": "pain_before",
    "pain after": "pain_after",
    "duration": "duration_minutes",
    "areas worked or techniques": "techniques",
}


class SessionNoteForm(BodyAreasMixin, forms.ModelForm):
    """A draft note. Everything may be left blank until signing; `signing_needs` says
    what signing will ask for, and those fields are marked.

    A note started from a visit (check-in) takes its duration from the visit's length."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    techniques = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = SessionNote
        fields = list(SessionNote.WRITTEN_FIELDS)
        widgets = {
            "visit_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_visit_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "update_since_last": forms.Textarea(attrs={"rows": 2}),
            "client_feedback": forms.Textarea(attrs={"rows": 2}),
            "tissue_response": forms.Textarea(attrs={"rows": 3}),
            "home_care_stretches": forms.Textarea(attrs={"rows": 2}),
            "home_care_strengthening": forms.Textarea(attrs={"rows": 2}),
            "home_care_posture": forms.Textarea(attrs={"rows": 2}),
            "pressure": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.instance
        techniques = _technique_choices(
            [*note.techniques, *(t for area in note.areas.all() for t in area.techniques)] if note.pk else []
        )
        self.fields["techniques"].choices = techniques
        self.fields["techniques"].label = "Techniques used"
        self.fields["pressure"].choices = [("", "Not recorded"), *Pressure.choices]
        for name in ("pain_before", "pain_after"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label, choices=PAIN_SELECT, coerce=int, empty_value=None, required=False
            )
        self.fields["health_changed"].label = "Anything changed in their health since the last visit?"
        self.fields["version"].initial = note.version
        self.add_area_fields(techniques, note.areas.all() if note.pk else ())
        if not self.is_bound and note.pk and note.duration_minutes is None:
            try:
                visit = note.appointment  # the booked visit this note records (scheduling.Appointment.note)
            except ObjectDoesNotExist:
                visit = None
            if visit:
                self.initial["duration_minutes"] = round((visit.ends_at - visit.starts_at).total_seconds() / 60)
        self.signing_needs = missing_for_signature(self._as_shown())
        for need in self.signing_needs:
            name = SIGNING_FIELDS.get(need)
            if name is None:
                continue  # still in the "To sign, add" line; a test asks for the new field here
            field = self.fields[name]
            # The bound field (made while reading the values above) keeps its own help text.
            field.help_text = self[name].help_text = (
                "Needed to sign: an area worked (above) or a technique."
                if need.startswith("areas")
                else "Needed to sign."
            )
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} needed-to-sign".strip()

    def _shown(self, name: str):
        """A field's value as on the page (typed or initial), cleaned; None if blank or not valid."""
        try:
            return self.fields[name].clean(self[name].value())
        except forms.ValidationError:
            return None

    def _as_shown(self) -> SimpleNamespace:
        """The note as the form shows it, for missing_for_signature: the same rule as signing,
        applied before anything is saved."""
        areas = [region.code for region in REGIONS if self._shown(f"area_{region.code}_side")]
        return SimpleNamespace(
            pain_before=self._shown("pain_before"),
            pain_after=self._shown("pain_after"),
            duration_minutes=self._shown("duration_minutes"),
            techniques=self._shown("techniques") or [],
            areas=SimpleNamespace(all=lambda: areas),
        )

    def clean_visit_date(self):
        return _not_in_the_future(self.cleaned_data.get("visit_date"), "visit date")

    def clean_next_visit_date(self):
        return _within_years(self.cleaned_data.get("next_visit_date"), 5, "next visit")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("next_visit_date") and cleaned.get("next_visit_interval_days"):
            self.add_error("next_visit_interval_days", "Give a date or an interval, not both.")
        return cleaned


def _not_in_the_future(value, what: str):
    """A clinical date is the day something happened: not after today, not before 1900."""
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"The {what} cannot be in the future.")
    if value and value.year < 1900:
        raise forms.ValidationError(f"Check the year of the {what}.")
    return value


def _within_years(value, years: int, what: str):
    """A planned date: from 1900 up to `years` years ahead."""
    today = timezone.localdate()
    if value and (value.year < 1900 or value > today.replace(year=today.year + years, day=min(today.day, 28))):
        raise forms.ValidationError(f"Check the year of the {what}.")
    return value


class AddendumForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="For example: correction, late entry, client report.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class TreatmentPlanForm(forms.ModelForm):
    focus_regions = forms.MultipleChoiceField(
        choices=[(r.code, r.label) for r in REGIONS], widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = TreatmentPlan
        fields = [
            "starts_on",
            "goals",
            "focus_regions",
            "visit_interval_days",
            "planned_visits",
            "reassess_on",
            "home_care",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reassess_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "home_care": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"visit_interval_days": "14 for every two weeks."}

    def clean_starts_on(self):
        return _within_years(self.cleaned_data.get("starts_on"), 1, "plan's start")

    def clean_reassess_on(self):
        return _within_years(self.cleaned_data.get("reassess_on"), 5, "reassessment")

    def clean(self):
        cleaned = super().clean()
        starts, reassess = cleaned.get("starts_on"), cleaned.get("reassess_on")
        if starts and reassess and reassess < starts:
            self.add_error("reassess_on", "The reassessment comes after the plan starts.")
        return cleaned


class AssessmentForm(forms.ModelForm):
    posture = forms.MultipleChoiceField(
        label="Standing posture", choices=Posture.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Assessment
        fields = ["assessed_on", "posture", "posture_other", "gait_notes", "summary"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "gait_notes": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_assessed_on(self):
        return _not_in_the_future(self.cleaned_data.get("assessed_on"), "assessment date")


def _blank(choices):
    return [("", "—"), *choices]


class CompactRowForm(forms.Form):
    """A row of a table of tests: small Bootstrap controls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )


class RomTestForm(CompactRowForm):
    movement = forms.ChoiceField(choices=_blank(Movement.choices), required=False)
    side = forms.ChoiceField(choices=_blank(TestSide.choices), required=False)
    result = forms.ChoiceField(choices=_blank(RomResult.choices), required=False)
    degrees = forms.IntegerField(min_value=0, max_value=360, required=False)

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(f) not in (None, "") for f in ("movement", "side", "result", "degrees")):
            for name in ("movement", "side", "result"):
                if not cleaned.get(name):
                    self.add_error(name, "Needed for this test row.")
        return cleaned

    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("movement"))


class PalpationForm(CompactRowForm):
    region = forms.ChoiceField(choices=_blank([(r.code, r.label) for r in REGIONS]), required=False)
    side = forms.ChoiceField(
        choices=_blank([("left", "Left"), ("right", "Right"), ("both", "Both"), ("center", "Central")]), required=False
    )
    tension = forms.ChoiceField(choices=Severity.choices, initial="none")
    tenderness = forms.ChoiceField(choices=Severity.choices, initial="none")
    texture = forms.ChoiceField(choices=Texture.choices, initial="normal")
    temperature = forms.ChoiceField(choices=Temperature.choices, initial="normal")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("region") and not cleaned.get("side"):
            self.add_error("side", "Choose the side.")
        return cleaned

    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("region"))


class SpecialTestForm(CompactRowForm):
    name = forms.CharField(label="Test", max_length=100, required=False)
    side = forms.ChoiceField(choices=_blank(TestSide.choices), required=False)
    positive = forms.TypedChoiceField(
        label="Result",
        choices=[("", "—"), ("yes", "Positive"), ("no", "Negative")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name"):
            if not cleaned.get("side"):
                self.add_error("side", "Choose the side.")
            if cleaned.get("positive") is None:
                self.add_error("positive", "Positive or negative?")
        return cleaned

    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("name"))


def filled_rows(formset) -> list[dict]:
    """The rows of a valid formset of tests that were filled in, as plain values."""
    return [form.cleaned_data for form in formset if form.is_filled()]


RomFormSet = forms.formset_factory(RomTestForm, extra=6, max_num=30)
PalpationFormSet = forms.formset_factory(PalpationForm, extra=4, max_num=30)
SpecialTestFormSet = forms.formset_factory(SpecialTestForm, extra=3, max_num=20)
