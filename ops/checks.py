"""Deployment checks that need the database: `manage.py check --deploy --database default`."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database, deploy=True)
def check_app_database_login(app_configs=None, databases=None, **kwargs):
    """The web app's login must not be able to rewrite what must not change (README: Database logins)."""
    from ops.db_logins import login_problems

    warnings = []
    for alias in databases or ():
        try:
            problems = login_problems(alias)
        except DatabaseError as exc:
            problems = [f"Could not check the app's database login: {type(exc).__name__}."]
        warnings += [
            Warning(
                problem,
                hint="Connect the app with a login that owns nothing (DATABASE_URL) and migrate with the owner "
                "(DATABASE_OWNER_URL); see README: Database logins.",
                id="clinic.W001",
            )
            for problem in problems
        ]
    return warnings


@register(Tags.database, deploy=True)
def check_trigram_operator_cost(app_configs=None, databases=None, **kwargs):
    """Typo search plans well only when pg_trgm's operators carry their real cost (clients 0006)."""
    from django.db import connections

    warnings = []
    for alias in databases or ():
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT min(procost) FROM pg_proc WHERE proname = 'similarity_op'")
                (cost,) = cursor.fetchone()
        except DatabaseError:
            continue  # check_app_database_login reports an unreachable database
        if cost is not None and cost < 100:
            warnings.append(
                Warning(
                    "pg_trgm's similarity operators are priced as cheap (COST 1): typo search reads the "
                    "whole name lexicon instead of its trigram index.",
                    hint="As a PostgreSQL superuser, in the clinic's database: ALTER FUNCTION "
                    "similarity_op(text, text) COST 100; and the same for word_similarity_op and "
                    "word_similarity_commutator_op (README: Database logins).",
                    id="clinic.W003",
                )
            )
    return warnings
