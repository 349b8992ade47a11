"""The access log's model moves to the audit app (audit.models.AccessLog). State only: the
table, its rows, indexes and append-only triggers stay as they are (clinic_accesslog)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_access_log_append_only")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AccessLog")],
            database_operations=[],
        )
    ]
