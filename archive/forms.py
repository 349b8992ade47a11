from django import forms

from archive.passphrase import MIN_LENGTH


class ArchiveForm(forms.Form):
    """The passphrase that will open the archive, typed twice: nobody can open it without it,
    the clinic included (the app does not keep it)."""

    passphrase = forms.CharField(
        label="Passphrase",
        min_length=MIN_LENGTH,
        max_length=200,
        strip=False,
        help_text=f"At least {MIN_LENGTH} characters; a few unrelated words are easy to type and hard to guess. "
        "Write it down somewhere safe, apart from the archive: without it the archive cannot be opened.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm = forms.CharField(
        label="The passphrase again",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        passphrase, confirm = cleaned.get("passphrase"), cleaned.get("confirm")
        if passphrase and confirm is not None and passphrase != confirm:
            self.add_error("confirm", "The two passphrases are not the same.")
        if passphrase and not passphrase.strip():
            self.add_error("passphrase", "A passphrase of spaces only is too easy to guess.")
        return cleaned
