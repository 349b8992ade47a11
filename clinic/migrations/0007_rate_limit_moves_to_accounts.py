"""The rate-limit counter's model moves to accounts (accounts.models.RateLimitCounter). State only:
the table clinic_ratelimitcounter stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_access_log_moves_to_audit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateLimitCounter")],
            database_operations=[],
        )
    ]
