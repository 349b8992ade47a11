import re

from django import forms

from accounts.models import ClinicPolicy


class AuthenticatorCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows."""

    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits the app shows (spaces are fine).")
        return code


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "none"}),
    )


class DisableTwoFactorForm(AuthenticatorCodeForm):
    """Turning two-factor off needs a current code: a session left open is not enough."""


class ClinicPolicyForm(forms.ModelForm):
    class Meta:
        model = ClinicPolicy
        fields = ["require_two_factor"]


class StashForm(forms.Form):
    """What idle.js sends: the page's path and its fields' values as [name, value] pairs."""

    MAX_FIELDS = 2000

    path = forms.CharField(max_length=500)
    values = forms.JSONField()
    names = forms.JSONField(required=False)

    def clean_path(self) -> str:
        path = self.cleaned_data["path"]
        if not path.startswith("/") or path.startswith("//"):
            raise forms.ValidationError("A path on this site, please.")
        return path

    def clean_values(self) -> list[list[str]]:
        pairs = self.cleaned_data["values"]
        if (
            not isinstance(pairs, list)
            or len(pairs) > self.MAX_FIELDS
            or not all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)
                for pair in pairs
            )
        ):
            raise forms.ValidationError("Values must be a list of [name, value] pairs.")
        return [[_storable(name), _storable(value)] for name, value in pairs]

    def clean_names(self) -> list[str]:
        names = self.cleaned_data.get("names") or []
        if (
            not isinstance(names, list)
            or len(names) > self.MAX_FIELDS
            or not all(isinstance(name, str) for name in names)
        ):
            raise forms.ValidationError("Names must be a list of field names.")
        names = [_storable(name) for name in names]
        return names


_NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(text: str) -> str:
    """Drop what PostgreSQL's jsonb refuses: NUL ("\\u0000" in JSON) and lone surrogates."""
    return _NOT_STORABLE.sub("", text)
