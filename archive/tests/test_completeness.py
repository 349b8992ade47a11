"""Nothing of the clinic's is left out of the archive without saying why.

The archive finds its record types (archive/records.py): every table of our apps. These
tests look from the other side, at every model of the repository and every table in the
database, so a model or table added later, by any app or by raw SQL, is either archived or
left out here with a reason.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from archive.records import EXCLUDED, omitted_fields, record_types

# Tables of the libraries the archive leaves out, and why (docs/export-format.md says the same).
LIBRARY_TABLES = {
    "django_migrations": "which migrations ran: a fresh install has its own (the manifest names the last of each app)",
    "django_content_type": "Django's list of models: every install makes its own",
    "auth_permission": "Django's permissions: every install makes them; groups name theirs by natural key",
    "django_session": "sign-in sessions: nobody stays signed in across installs",
    "django_admin_log": "the admin's own history of edits (the audit trail has every change)",
    "pghistory_context": "unused: the audit trail keeps each change's context on its event",
    "axes_accessattempt": "failed sign-ins and lockouts of the last minutes",
    "axes_accessattemptexpiration": "failed sign-ins and lockouts of the last minutes",
    "axes_accessfailurelog": "failed sign-ins of the old install",
    "axes_accesslog": "sign-ins of the old install",
    "otp_totp_totpdevice": "two-factor secrets never leave the install: staff set up two-factor again",
    "otp_static_staticdevice": "two-factor recovery codes never leave the install",
    "otp_static_statictoken": "two-factor recovery codes never leave the install",
    "procrastinate_jobs": "the old install's job queue",
    "procrastinate_events": "the old install's job queue",
    "procrastinate_periodic_defers": "the old install's job queue",
    "procrastinate_workers": "the old install's workers",
}


def _repository_packages() -> set[str]:
    base = Path(settings.BASE_DIR)
    return {path.parent.name for path in base.glob("*/__init__.py")}


def _our_table_models() -> list:
    """Every model with a table of its own defined in this repository, found by where its code is."""
    ours = _repository_packages()
    return [
        model
        for model in apps.get_models()
        if model.__module__.split(".")[0] in ours and model._meta.managed and not model._meta.proxy
    ]


def test_every_model_of_ours_is_archived_or_excluded_with_a_reason():
    archived = {record_type.label for record_type in record_types()}
    neither = sorted(m._meta.label for m in _our_table_models() if m._meta.label not in archived | set(EXCLUDED))

    assert not neither, (
        f"Models neither in the whole-clinic archive nor excluded: {neither}. Add them to "
        "archive.records.EXCLUDED with the reason, or make them visible to record_types()."
    )
    assert archived.isdisjoint(EXCLUDED)


def test_exclusions_name_real_models_and_say_why():
    for label, reason in EXCLUDED.items():
        assert apps.get_model(label) and len(reason) > 20, label
    for label, fields in omitted_fields().items():
        model = apps.get_model(label)
        assert all(model._meta.get_field(name) and len(reason) > 20 for name, reason in fields.items())


@pytest.mark.django_db
def test_every_table_in_the_database_is_archived_or_left_out_with_a_reason():
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor, include_views=False))
    archived = {record_type.table for record_type in record_types()}
    archived |= {
        link.remote_field.through._meta.db_table for record_type in record_types() for link in record_type.links
    }
    excluded = {apps.get_model(label)._meta.db_table for label in EXCLUDED}

    unaccounted = sorted(tables - archived - excluded - set(LIBRARY_TABLES))

    assert not unaccounted, (
        f"Tables neither archived nor left out with a reason: {unaccounted}. A table of ours needs a "
        "model (then it is archived) or an entry in archive.records.EXCLUDED; a library's table an "
        "entry in LIBRARY_TABLES here."
    )
    assert not set(LIBRARY_TABLES) - tables, "LIBRARY_TABLES names tables that do not exist"


def test_the_staff_model_is_archived_but_not_its_password():
    staff = next(t for t in record_types() if t.model._meta.label == settings.AUTH_USER_MODEL)

    assert "password" not in {f.name for f in staff.fields}
    assert {link.name for link in staff.links} == {"groups", "user_permissions"}
