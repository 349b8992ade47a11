from django import forms

from messaging import texts
from messaging.models import MAX_TEMPLATE_LENGTH, TEXT_CHANNELS, Channel, ContactPreference
from messaging.phones import InvalidNumber, for_display, to_e164


class PreferenceForm(forms.ModelForm):
    """The desk sets how a client gets reminders (and the mobile number texts go to)."""

    class Meta:
        model = ContactPreference
        fields = ["reminders", "text_number"]
        widgets = {"reminders": forms.RadioSelect, "text_number": forms.TextInput(attrs={"type": "tel"})}
        help_texts = {"text_number": "A mobile number; with a + and the country code if it is from abroad."}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        if not self.instance.text_number and client.phone:
            try:  # the profile's number, as a start
                self.initial["text_number"] = for_display(to_e164(client.phone))
            except InvalidNumber:
                pass
        elif self.instance.text_number:
            self.initial["text_number"] = for_display(self.instance.text_number)
        self.fields["text_number"].max_length = 40
        self.fields["text_number"].widget.attrs["maxlength"] = 40

    def clean_text_number(self) -> str:
        raw = self.cleaned_data["text_number"].strip()
        if not raw:
            return ""
        try:
            return to_e164(raw)
        except InvalidNumber as problem:
            raise forms.ValidationError(f"{problem} Type the digits, e.g. 555 010 2000.") from None

    def clean(self):
        data = super().clean()
        if data.get("reminders") in TEXT_CHANNELS and not data.get("text_number") and "text_number" not in self.errors:
            self.add_error("text_number", "Texts need a mobile number.")
        if data.get("reminders") in (Channel.EMAIL, Channel.BOTH) and not self.client.email:
            self.add_error("reminders", "The client has no email address on their profile.")
        return data

    def _post_clean(self):
        # The model's own validation would check the raw field length (20) before cleaning: our
        # clean_text_number already gives E.164, which fits.
        self.instance.client = self.client
        super()._post_clean()


class TemplateForm(forms.Form):
    body = forms.CharField(
        label="Wording", widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_TEMPLATE_LENGTH, strip=True
    )

    def __init__(self, *args, text: texts.TextTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.text = text

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        problems = texts.problems_with(self.text, body)
        if problems:
            raise forms.ValidationError(problems)
        return body
