"""The forms on a page, read from its HTML, with what a browser would submit unchanged."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

SKIPPED_INPUTS = {"button", "reset", "image", "file"}
DATE_INPUTS = {"date", "datetime-local", "month", "week"}


@dataclass
class HtmlForm:
    method: str
    action: str  # a path on this site
    fields: dict = field(default_factory=dict)  # name -> str or list of str, as submitted unchanged
    date_fields: set = field(default_factory=set)  # names of its date inputs (<input type="date">)
    _radios: dict = field(default_factory=dict)  # radio groups with nothing ticked: their first value
    _submit: tuple | None = None

    def add(self, name: str, value: str) -> None:
        if name in self.fields:
            current = self.fields[name]
            self.fields[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            self.fields[name] = value

    def baseline(self) -> dict:
        """The submission when the first submit button is pressed (a radio group with nothing
        ticked gets its first choice, so the baseline is more often valid)."""
        data = dict(self.fields)
        for name, value in self._radios.items():
            data.setdefault(name, value)
        if self._submit:
            data.setdefault(*self._submit)
        return data


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self.form: HtmlForm | None = None
        self.select: tuple[str, bool] | None = None  # (name, multiple)
        self.select_options: list[tuple[str, bool]] = []
        self.in_option = False
        self.option_value: str | None = None
        self.option_selected = False
        self.option_text = ""
        self.textarea: str | None = None
        self.textarea_text = ""

    def handle_starttag(self, tag, attrs):
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.form = HtmlForm(method=(a.get("method") or "get").lower(), action=action)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            if kind in DATE_INPUTS:
                self.form.date_fields.add(name)
            if kind == "submit":
                if self.form._submit is None:
                    self.form._submit = (name, a.get("value", ""))
            elif kind == "checkbox":
                if "checked" in a:
                    self.form.add(name, a.get("value", "on"))
            elif kind == "radio":
                if "checked" in a:
                    self.form.add(name, a.get("value", "on"))
                else:
                    self.form._radios.setdefault(name, a.get("value", "on"))
            else:
                self.form.add(name, a.get("value", ""))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            if self.form._submit is None:
                self.form._submit = (name, a.get("value", ""))
        elif tag == "select" and name:
            self.select = (name, "multiple" in a)
            self.select_options = []
        elif tag == "option" and self.select:
            self._end_option()  # </option> is optional
            self.in_option = True
            self.option_value = a.get("value")
            self.option_selected = "selected" in a
            self.option_text = ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.textarea_text = ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea_text += data
        elif self.in_option:
            self.option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "option" and self.select:
            self._end_option()
        elif tag == "select" and self.select:
            self._end_option()
            name, multiple = self.select
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and self.select_options and not multiple:
                chosen = [self.select_options[0][0]]
            for value in chosen:
                self.form.add(name, value)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops one newline right after <textarea>.
            self.form.add(self.textarea, self.textarea_text.removeprefix("\n"))
            self.textarea = None

    def _end_option(self):
        if not self.in_option:
            return
        value = self.option_value if self.option_value is not None else self.option_text.strip()
        self.select_options.append((value, self.option_selected))
        self.in_option = False


def forms_on(html: str, page_url: str) -> list[HtmlForm]:
    """Forms that submit to this site, in page order."""
    parser = _FormParser(page_url)
    parser.feed(html)
    local = []
    for form in parser.forms:
        parts = urlsplit(form.action)
        if parts.netloc or parts.scheme:
            continue
        form.action = parts.path + (f"?{parts.query}" if parts.query else "")
        local.append(form)
    return local


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_links(html: str, page_url: str) -> list[tuple[str, dict, str]]:
    """Links to this site carrying a date in their query string (`?date=2031-06-09`):
    (path, query parameters, the name of the one holding a date), once per path and name."""
    parser = _LinkParser()
    parser.feed(html)
    found, seen = [], set()
    for href in parser.hrefs:
        parts = urlsplit(urljoin(page_url, href))
        if parts.netloc or parts.scheme not in ("", "http") or not parts.query:
            continue
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for name, value in query.items():
            if ISO_DATE.match(value) and (parts.path, name) not in seen:
                seen.add((parts.path, name))
                found.append((parts.path, query, name))
    return found
