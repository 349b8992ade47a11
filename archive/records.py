"""What the whole-clinic archive holds: every table of the project's own apps, found, not listed.

A record type is one concrete model: every model of the project's own apps (the folders of
this repository, not the libraries'), Django's groups (the staff roles), and nothing else.
A model another app adds later is in the next archive without a change here; a model that
must stay out is named in EXCLUDED with the reason (archive/tests/test_completeness.py
fails for a table that is neither exported nor excluded).

Each record is written as one JSON object, keyed by field name (`<name>_id` for a reference,
its column in the database), values in plain JSON types (`to_json`); the restore turns them
back with the field's own parser (`from_json`). Many-to-many links with no model of their own
(a user's groups, a group's permissions) are lists inside the record: ids of records in the
archive, or the natural key of a row every install has (a permission: codename, app, model).
"""

import base64
import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.duration import duration_iso_string

# Models of libraries that the archive holds too: the staff roles and their permissions.
EXTRA_MODELS = ("auth.Group",)

# Models of our apps left out of the archive, and why (docs/export-format.md lists them).
EXCLUDED = {
    "clients.ClientNameWord": "the search lexicon, derived from the clients' names: the restore rebuilds it",
    "clients.NameWordDelete": "the search lexicon's typo keys, derived from the names: the restore rebuilds them",
    "accounts.FormStash": "what someone was typing when the idle sign-out came, kept for minutes: transient",
    "accounts.RateLimitCounter": "request counts of the public pages over the last minutes: transient",
    "archive.ClinicArchive": "the archives themselves: files of the old install, and passphrases waiting for a worker",
    "jobs.JobRun": "how far the old install's background jobs got (this export's own run among them, half done)",
}


def omitted_fields() -> dict[str, dict[str, str]]:
    """Fields of exported models left out of the archive (model label -> field -> why)."""
    return {
        get_user_model()._meta.label: {
            "password": "password hashes never leave the install: restored staff set a new password",
        },
    }


@dataclass(frozen=True)
class RecordType:
    model: type[models.Model]
    fields: tuple[models.Field, ...]  # the columns written, in the model's order
    links: tuple[models.ManyToManyField, ...] = ()  # many-to-many links without a model of their own
    omitted: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def file(self) -> str:
        return f"records/{self.label}.json"

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def describe(self) -> dict:
        """This record type as the manifest describes it: what a reader needs to read its file."""
        return {
            "type": self.label,
            "file": self.file,
            "table": self.table,
            "primary_key": self.model._meta.pk.attname,
            "fields": [_describe_field(f) for f in self.fields] + [_describe_field(f) for f in self.links],
            "omitted": self.omitted,
        }


def _describe_field(f: models.Field) -> dict:
    described = {"name": f.attname if f.concrete else f.name, "type": f.get_internal_type()}
    if f.many_to_many:
        described["many"] = True
    if f.is_relation and f.related_model is not None:
        described["references"] = f.related_model._meta.label
    if getattr(f, "generated", False):
        described["generated"] = True  # computed by PostgreSQL: the restore does not write it
    return described


def own_app_configs() -> list:
    """The apps of this repository (not of the libraries installed beside it)."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and not {"site-packages", "dist-packages"} & set(Path(config.path).parts)
    ]


def is_table_model(model: type[models.Model]) -> bool:
    """A model with rows of its own in a table (not a view, a proxy or an abstract base)."""
    opts = model._meta
    return opts.managed and not opts.proxy and not opts.abstract


def candidate_models() -> list[type[models.Model]]:
    """Every table model of our apps (and EXTRA_MODELS), exported or excluded; links' own tables aside."""
    found = [
        model
        for config in own_app_configs()
        for model in config.get_models()  # auto-created link tables (a user's groups) come with their model
        if is_table_model(model)
    ]
    found += [apps.get_model(label) for label in EXTRA_MODELS]
    return sorted(found, key=lambda model: model._meta.label)


def record_types() -> list[RecordType]:
    """What the archive holds, in a stable order (by label)."""
    omitted = omitted_fields()
    types = []
    for model in candidate_models():
        label = model._meta.label
        if label in EXCLUDED:
            continue
        left_out = omitted.get(label, {})
        fields = tuple(f for f in model._meta.concrete_fields if f.column is not None and f.name not in left_out)
        links = tuple(f for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created)
        types.append(RecordType(model=model, fields=fields, links=links, omitted=dict(left_out)))
    return types


# --- Values ---------------------------------------------------------------------------------


def to_json(value):
    """A database value as plain JSON: ISO 8601 for dates and times, strings for exact decimals,
    base64 for bytes; lists and JSON documents as they are."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    raise TypeError(f"The archive cannot write a value of type {type(value).__name__}.")


def from_json(f: models.Field, value):
    """The Python value of a field from its JSON form (the field's own parser)."""
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def natural_key_model(f: models.ManyToManyField, exported: set[str]) -> bool:
    """Whether a link's rows are written by natural key (a row every install has) rather than id."""
    return f.related_model._meta.label not in exported and hasattr(f.related_model, "natural_key")
