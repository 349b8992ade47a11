from django import forms
from django.contrib.auth import get_user_model

from imports.fields import field_choices
from imports.models import DateOrder, Kind, Source
from scheduling.models import Service

ALLOWED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")
NEW = "new"


class UploadForm(forms.Form):
    source = forms.ChoiceField(label="Where the file comes from", choices=Source.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="What it holds", choices=Kind.choices)
    program = forms.CharField(
        label="Name of the program (for a CSV or Excel file)",
        max_length=40,
        required=False,
        help_text="For example ClinicSense or MassageBook: the columns you match are remembered for its next file.",
    )
    file = forms.FileField(
        label="File (.csv or .xlsx)", help_text="Patients, appointments or treatment notes, as exported."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError("Upload a .csv or .xlsx file (save other spreadsheets as one of these first).")
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == Source.CSV and not cleaned.get("program", "").strip():
            self.add_error("program", "Name the program the file comes from, so its columns are remembered.")
        if cleaned.get("source") == Source.JANE and cleaned.get("kind") == Kind.NOTES:
            self.add_error("kind", "Jane gives charts as PDF files, not as a table: they cannot be imported here.")
        return cleaned


class ChoicesForm(forms.Form):
    """The person's answers for one file: what each column is, the date order, services and staff."""

    date_order = forms.ChoiceField(
        label="Dates like 03/04/1987 are", choices=[("", "— detect —"), *DateOrder.choices], required=False
    )

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        survey = batch.preview.get("survey", {})
        self.headers = survey.get("headers", [])
        columns = batch.choices.get("columns") or survey.get("columns", {})
        self.initial.setdefault("date_order", batch.choices.get("date_order", ""))
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}", choices=field_choices(batch.kind), required=False
            )
            self.initial.setdefault(f"column_{index}", columns.get(header, ""))
        self.service_names = survey.get("unknown_services", []) if batch.kind == Kind.APPOINTMENTS else []
        self.staff_names = survey.get("unknown_staff", []) if batch.kind == Kind.APPOINTMENTS else []
        services = [(str(s.pk), f"Same as our “{s.name}”") for s in Service.objects.order_by("-active", "name")]
        staff = [(str(u.pk), f"Same as {u}") for u in get_user_model().objects.order_by("-is_active", "first_name")]
        chosen_services = batch.choices.get("services", {})
        chosen_staff = batch.choices.get("staff", {})
        for index, name in enumerate(self.service_names):
            self.fields[f"service_{index}"] = forms.ChoiceField(
                label=f"Service “{name}”", choices=[(NEW, "Add as a new service (not offered for booking)"), *services]
            )
            self.initial.setdefault(f"service_{index}", chosen_services.get(name, NEW))
        for index, name in enumerate(self.staff_names):
            self.fields[f"staff_{index}"] = forms.ChoiceField(
                label=f"Therapist “{name or '(none named)'}”",
                choices=[(NEW, "A former therapist (an account that cannot sign in)"), *staff],
            )
            self.initial.setdefault(f"staff_{index}", chosen_staff.get(name, NEW))

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def service_fields(self):
        return [self[f"service_{index}"] for index in range(len(self.service_names))]

    def staff_fields(self):
        return [self[f"staff_{index}"] for index in range(len(self.staff_names))]

    def choices(self) -> dict:
        data = self.cleaned_data
        return {
            "columns": {header: data.get(f"column_{index}", "") for index, header in enumerate(self.headers)},
            "date_order": data.get("date_order", ""),
            "services": {name: data[f"service_{index}"] for index, name in enumerate(self.service_names)},
            "staff": {name: data[f"staff_{index}"] for index, name in enumerate(self.staff_names)},
        }
