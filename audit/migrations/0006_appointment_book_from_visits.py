"""Appointment events point at the appointment book's new app (scheduling). State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_access_log_from_clinic"),
        ("scheduling", "0001_appointment_book_from_visits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="appointmentevent",
                    name="pgh_obj",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="events",
                        to="scheduling.appointment",
                    ),
                ),
                migrations.AlterField(
                    model_name="appointmentevent",
                    name="service",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="scheduling.service",
                    ),
                ),
            ],
        ),
    ]
