"""The rate-limit counter's model, moved here from the clinic app. State only: the table
clinic_ratelimitcounter (rows, constraint, index) is the one clinic's migrations made."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_sign_in_protection"),
        ("clinic", "0007_rate_limit_moves_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateLimitCounter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200)),
                        ("window_start", models.DateTimeField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "clinic_ratelimitcounter",
                        "indexes": [models.Index(fields=["window_start"], name="ratelimit_window")],
                        "constraints": [
                            models.UniqueConstraint(fields=("key", "window_start"), name="ratelimit_one_row_per_window")
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
