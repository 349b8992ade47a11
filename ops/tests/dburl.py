"""A postgres:// URL of the test database, for commands the tests run in another process."""

from django.db import connection


def database_url_for(user: str, password: str = "") -> str:
    params = connection.settings_dict
    auth = f"{user}:{password}" if password else user
    host = params["HOST"] or "localhost"
    port = params["PORT"] or 5432
    if host.startswith("/"):  # a socket directory (the embedded database)
        return f"postgres://{auth}@/{params['NAME']}?host={host}&port={port}"
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"
