from django import forms
from django.contrib.auth import get_user_model

from timekeeping.dayrange import nearest_valid_day

User = get_user_model()  # the staff user (clinic.User); apps do not import the project package


class AuditFilterForm(forms.Form):
    """Filters of the audit pages: client, staff member, dates (inclusive), refused attempts."""

    client = forms.CharField(
        label="Client",
        required=False,
        max_length=200,
        help_text="Name, phone or email, or # and the client number (#42).",
    )
    staff = forms.ModelChoiceField(
        label="Staff member",
        queryset=User.objects.order_by("first_name", "last_name", "username"),
        required=False,
        empty_label="Anyone",
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    refused = forms.BooleanField(label="Refused attempts only", required=False)

    def __init__(self, *args, with_client: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_client:  # a client's own access history
            del self.fields["client"]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "refused" else ("form-select" if name == "staff" else "form-control")
            field.widget.attrs["class"] = css

    # A date at the calendar's edge (9999-12-31: "no end") is the nearest day the log can be
    # filtered by: the day after it, or its start in the clinic's time zone, must exist.
    def clean_date_from(self):
        day = self.cleaned_data["date_from"]
        return day and nearest_valid_day(day)

    def clean_date_to(self):
        day = self.cleaned_data["date_to"]
        return day and nearest_valid_day(day)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
