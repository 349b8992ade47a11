"""Hand-kept twins of the signed-note lock: the trigger's column list and the model's fields.

The trigger visits_protect_signed_note (migration 0002) names, in PL/pgSQL, the columns a
signature covers; SessionNote.CLINICAL_FIELDS names them again in Python (the content hash
is computed from it). Nothing ties the two lists, or the model's fields, together: these
tests read the function as installed in the database and compare.
"""

import re

import pytest
from django.db import DatabaseError, connection, transaction

from sessions.models import SessionNote
from sessions.tests.factories import signed_note

pytestmark = pytest.mark.django_db

TABLE = SessionNote._meta.db_table
FUNCTION = "visits_protect_signed_note"

# Columns of visits_sessionnote that the trigger deliberately leaves out: a signed note may
# still change them. Anything else must be protected. Say why when adding one.
MAY_CHANGE_AFTER_SIGNING = {
    # The row's identity, not its content; nothing updates it (the addenda, areas and seal point at it).
    "id",
    # When the draft was started: not part of what was signed (signed_at is, and is protected).
    "created_at",
    # auto_now: every save touches it, the save that signs included.
    "updated_at",
    # Optimistic-locking counter of the draft form (a stale tab's save is refused); not content.
    "version",
}

WHAT_TO_DO = (
    "Every column of {table} must be either protected by the signed-note trigger or listed in "
    "MAY_CHANGE_AFTER_SIGNING (sessions/tests/test_twins.py). If a signature covers it, add it to "
    "SessionNote.CLINICAL_FIELDS and, in a new migration, CREATE OR REPLACE FUNCTION {function}() "
    "with NEW.<column> and OLD.<column> in its two ROW(...) lists (mind that the content hash of "
    "signed notes is computed from CLINICAL_FIELDS). If it may change after signing, add it to "
    "MAY_CHANGE_AFTER_SIGNING with a comment saying why."
)


def _installed_function_source() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [FUNCTION])
        rows = cursor.fetchall()
    assert len(rows) == 1, f"expected one function {FUNCTION}() in the database, found {len(rows)}"
    return rows[0][0]


def _row_columns(row: str, alias: str) -> list[str]:
    columns = []
    for item in row.split(","):
        match = re.fullmatch(rf"\s*{alias}\.(\w+)\s*", item)
        assert match, f"{FUNCTION}(): {item.strip()!r} in its ROW({alias}....) list is not {alias}.<column>"
        columns.append(match.group(1))
    return columns


def trigger_protected_columns() -> list[str]:
    """The columns the installed trigger function compares between NEW and OLD."""
    source = _installed_function_source()
    comparisons = re.findall(r"ROW\(([^()]*)\)\s+IS\s+DISTINCT\s+FROM\s+ROW\(([^()]*)\)", source, flags=re.I)
    assert len(comparisons) == 1, (
        f"{FUNCTION}() no longer has one 'ROW(NEW....) IS DISTINCT FROM ROW(OLD....)' comparison; "
        "update trigger_protected_columns() in this test to read its column list"
    )
    new_row, old_row = comparisons[0]
    new_columns, old_columns = _row_columns(new_row, "NEW"), _row_columns(old_row, "OLD")
    # The two lists are themselves a hand-kept pair: a column in one only, or out of step, is
    # compared with a different column (or not at all).
    assert new_columns == old_columns, f"{FUNCTION}(): ROW(NEW....) and ROW(OLD....) differ"
    return new_columns


def table_columns() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [TABLE],
        )
        return {name for (name,) in cursor.fetchall()}


def model_columns() -> set[str]:
    return {field.column for field in SessionNote._meta.concrete_fields}


def test_trigger_protects_exactly_the_models_clinical_fields():
    protected = trigger_protected_columns()
    assert len(protected) == len(set(protected)), f"{FUNCTION}() names a column twice: {protected}"
    assert set(protected) == set(SessionNote.CLINICAL_FIELDS), (
        f"only in the trigger: {sorted(set(protected) - set(SessionNote.CLINICAL_FIELDS))}; "
        f"only in SessionNote.CLINICAL_FIELDS: {sorted(set(SessionNote.CLINICAL_FIELDS) - set(protected))}"
    )


def test_every_column_is_protected_after_signing_or_listed_as_free_to_change():
    assert_every_column_accounted_for()


def test_a_new_column_neither_protected_nor_listed_fails_saying_what_to_do():
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN room text")  # rolled back with the test

    with pytest.raises(AssertionError) as failure:
        assert_every_column_accounted_for()
    assert "['room']: Every column of visits_sessionnote must be either protected" in str(failure.value)
    assert "MAY_CHANGE_AFTER_SIGNING" in str(failure.value)


def assert_every_column_accounted_for():
    protected = set(trigger_protected_columns())
    # The model's fields, and the table as migrated (a column added by raw SQL counts too).
    columns = model_columns() | table_columns()

    neither = sorted(columns - protected - MAY_CHANGE_AFTER_SIGNING)
    assert not neither, f"{neither}: " + WHAT_TO_DO.format(table=TABLE, function=FUNCTION)
    both = sorted(protected & MAY_CHANGE_AFTER_SIGNING)
    assert not both, f"{both} are protected by the trigger yet listed in MAY_CHANGE_AFTER_SIGNING; remove them there"
    stale = sorted(MAY_CHANGE_AFTER_SIGNING - columns)
    assert not stale, f"MAY_CHANGE_AFTER_SIGNING names {stale}, which {TABLE} no longer has; remove them"
    unknown = sorted(protected - columns)
    assert not unknown, f"{FUNCTION}() compares {unknown}, which {TABLE} does not have"


def _column_types() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s", [TABLE])
        return dict(cursor.fetchall())


def _changed_value(column: str, data_type: str) -> str:
    """SQL for a value different from the column's current one (NULL or not)."""
    quoted = connection.ops.quote_name(column)
    if data_type in ("text", "character varying"):
        return f"CASE WHEN {quoted} = 'x' THEN 'y' ELSE 'x' END"
    if data_type in ("integer", "smallint", "bigint"):
        return f"coalesce({quoted}, 0) + 1"
    if data_type == "boolean":
        return f"NOT coalesce({quoted}, false)"
    if data_type == "date":
        return f"coalesce({quoted}, DATE '2001-01-01') + 1"
    if data_type == "timestamp with time zone":
        return f"coalesce({quoted}, now()) + interval '1 second'"
    if data_type == "ARRAY":
        return f"array_append({quoted}, 'x')"
    raise AssertionError(f"{TABLE}.{column} has type {data_type}: teach _changed_value() to change it")


class _Undo(Exception):
    pass


def test_signed_note_refuses_a_change_to_each_protected_column_and_allows_the_others():
    """The same columns, by behaviour: each one changed alone on a signed note."""
    note = signed_note(pain_before=4, next_visit_date=None)
    protected = set(trigger_protected_columns())
    refused, allowed = [], []
    for column, data_type in sorted(_column_types().items()):
        change = f"{connection.ops.quote_name(column)} = {_changed_value(column, data_type)}"
        sql = f"UPDATE {TABLE} SET {change} WHERE id = %s"
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [note.pk])
                assert cursor.rowcount == 1, column
                raise _Undo  # each column alone: roll back what the trigger let through
        except _Undo:
            allowed.append(column)
        except DatabaseError as error:
            assert type(error.__cause__).__name__ == "RaiseException", f"{column}: {error}"  # psycopg 2 or 3
            assert "is signed and cannot be changed" in str(error), f"{column}: {error}"
            refused.append(column)

    assert set(refused) == protected
    assert set(allowed) == MAY_CHANGE_AFTER_SIGNING
