"""The access log's model, moved here from the clinic app. State only: the table
clinic_accesslog (with its rows, indexes and append-only triggers) is the one clinic's
migrations made; nothing in the database changes."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_refuse_truncate"),
        ("clinic", "0006_access_log_moves_to_audit"),
        ("clients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("page", models.CharField(max_length=100)),
                        ("object_id", models.CharField(blank=True, max_length=40)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("view", "Viewed"), ("print", "Printed"), ("export", "Exported")],
                                default="view",
                                max_length=10,
                            ),
                        ),
                        ("allowed", models.BooleanField(default=True)),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        (
                            "client",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="clients.client",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "clinic_accesslog",
                        "indexes": [
                            models.Index(fields=["client", "-at"], name="accesslog_client"),
                            models.Index(fields=["user", "-at"], name="accesslog_user"),
                            models.Index(fields=["-at"], name="accesslog_recent"),
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
