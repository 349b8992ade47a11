"""The two database logins: the owner, who changes the schema, and the app, who only uses it.

The web app, cron jobs and workers connect as the app login (DATABASE_URL). It owns no table,
so it cannot ALTER a table (disable a trigger), DROP or TRUNCATE; on the append-only tables
(audit trail, access log, addenda, record seals) it may only INSERT and SELECT. `migrate`,
`backup`, `restore` and `db_roles` switch to the owner login (DATABASE_OWNER_URL) and, after
`migrate`, the app login's grants are brought up to date for the tables the migration made.

README: Database logins has the production set-up, step by step.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")

# Trigger functions that make a table append-only: the app login gets INSERT and SELECT there.
APPEND_ONLY_FUNCTIONS = ("clinic_append_only", "visits_addendum_append_only")

APPEND_ONLY_TABLES_SQL = """
SELECT DISTINCT c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND p.proname = ANY(%s)
ORDER BY c.relname
"""


def separate_app_login() -> str:
    """The app login's role name when it differs from the owner's, else ''."""
    app_role = settings.DATABASE_APP["USER"]
    return app_role if app_role and app_role != settings.DATABASE_OWNER["USER"] else ""


def use_owner_login(alias: str = DEFAULT_DB_ALIAS) -> None:
    """From now on, this process reaches the same database as the owner login."""
    connection = connections[alias]
    owner = settings.DATABASE_OWNER
    if all(connection.settings_dict.get(key, "") == owner[key] for key in CREDENTIALS):
        return
    connection.close()
    connection.settings_dict.update({key: owner[key] for key in CREDENTIALS})


def append_only_tables(cursor) -> list[str]:
    cursor.execute(APPEND_ONLY_TABLES_SQL, [list(APPEND_ONLY_FUNCTIONS)])
    return [name for (name,) in cursor.fetchall()]


def grant_app_privileges(*, role: str, alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Give `role` what the app needs and nothing more; run as the owner. Idempotent.

    Returns the append-only tables (INSERT and SELECT only for the app).
    """
    connection = connections[alias]
    quote = connection.ops.quote_name
    role_name = quote(role)
    # One transaction: the running app (a deploy migrates while the old release serves) never
    # sees its rights between the REVOKE and the GRANTs.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if not cursor.fetchone():
            raise LookupError(role)
        tables = append_only_tables(cursor)
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        statements = [
            f"GRANT CONNECT ON DATABASE {quote(database)} TO {role_name}",
            f"GRANT USAGE ON SCHEMA {quote(schema)} TO {role_name}",
            # Start from nothing, so a privilege granted by hand (TRUNCATE, say) does not linger.
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {quote(schema)} FROM {role_name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quote(schema)} TO {role_name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {role_name}",
            # Tables and sequences the owner creates later (a migration) are usable at once;
            # migrate then narrows the append-only ones again.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quote(schema)} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role_name}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quote(schema)} GRANT USAGE, SELECT ON SEQUENCES TO {role_name}",
        ]
        statements += [f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {role_name}" for table in tables]
        for statement in statements:
            cursor.execute(statement)
    return tables


def login_problems(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What is wrong with the login this connection uses, for the app (the deploy check)."""
    connection = connections[alias]
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        if superuser:
            problems.append(f'The app\'s database login "{user}" is a superuser.')
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
            "AND pg_get_userbyid(c.relowner) = current_user"
        )
        (owned,) = cursor.fetchone()
        if owned:
            problems.append(f'The app\'s database login "{user}" owns {owned} tables.')
        writable = [
            table
            for table in append_only_tables(cursor)
            if _has_privilege(cursor, table, "UPDATE") or _has_privilege(cursor, table, "DELETE")
        ]
        if writable and not superuser and not owned:
            problems.append(
                f'The app\'s database login "{user}" may UPDATE or DELETE append-only tables '
                f"({', '.join(writable[:3])}{', ...' if len(writable) > 3 else ''}): run `manage.py db_roles {user}`."
            )
    return problems


def _has_privilege(cursor, table: str, privilege: str) -> bool:
    cursor.execute("SELECT has_table_privilege(quote_ident(%s), %s)", [table, privilege])
    return cursor.fetchone()[0]
