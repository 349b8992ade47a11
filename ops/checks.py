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
