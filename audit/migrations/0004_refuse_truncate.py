"""TRUNCATE is refused on the evidence, whoever runs it: the audit trail, the access log,
signed records and their seals.

Row triggers (UPDATE / DELETE) do not see TRUNCATE, which empties a table in one statement.
A BEFORE TRUNCATE statement trigger does. The app's login has no TRUNCATE privilege anyway
(ops/db_logins.py); this stops the owner and scripts too. (Only a table's owner or a
superuser can drop or disable a trigger; the record seals make what they might do visible.)
The test suite empties tables between transactional tests: its flush disables these
triggers around its TRUNCATE (conftest.py), as only the owner can.
"""

from django.db import migrations

# Guarding a table added later: a migration that creates the same trigger on it.
GUARDED_TABLES = [
    "audit_clientevent",
    "audit_intakeevent",
    "audit_intakeareaevent",
    "audit_intakehistoryeventevent",
    "audit_assessmentevent",
    "audit_rangeofmotiontestevent",
    "audit_palpationfindingevent",
    "audit_specialtestevent",
    "audit_treatmentplanevent",
    "audit_sessionnoteevent",
    "audit_noteareaevent",
    "audit_addendumevent",
    "audit_appointmentevent",
    "pghistory_context",
    "clinic_accesslog",
    "visits_sessionnote",
    "visits_notearea",
    "visits_addendum",
    "visits_recordseal",
    "visits_recordchain",
]
TRIGGER_SUFFIX = "_no_truncate"

FUNCTION = """
CREATE FUNCTION clinic_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% keeps evidence: TRUNCATE is refused', TG_TABLE_NAME;
END
$$;
"""


def _forward() -> str:
    statements = [FUNCTION]
    statements += [
        f"CREATE TRIGGER {table}{TRIGGER_SUFFIX} BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION clinic_refuse_truncate();"
        for table in GUARDED_TABLES
    ]
    return "\n".join(statements)


def _backward() -> str:
    statements = [f"DROP TRIGGER IF EXISTS {table}{TRIGGER_SUFFIX} ON {table};" for table in GUARDED_TABLES]
    return "\n".join([*statements, "DROP FUNCTION IF EXISTS clinic_refuse_truncate();"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_clientevent_name_words"),
        ("clinic", "0005_access_log_append_only"),
        ("visits", "0008_record_seals"),
    ]

    operations = [migrations.RunSQL(_forward(), _backward())]
