"""The appointment book has moved to the scheduling app. State only: the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_appointment_book_from_visits"),
        ("visits", "0008_record_seals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="appointment",
                    name="client",
                ),
                migrations.RemoveField(
                    model_name="appointment",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="appointment",
                    name="note",
                ),
                migrations.RemoveField(
                    model_name="appointment",
                    name="service",
                ),
                migrations.RemoveField(
                    model_name="appointment",
                    name="therapist",
                ),
                migrations.RemoveField(
                    model_name="workinghours",
                    name="therapist",
                ),
                migrations.DeleteModel(
                    name="Service",
                ),
                migrations.DeleteModel(
                    name="Appointment",
                ),
                migrations.DeleteModel(
                    name="WorkingHours",
                ),
            ],
        ),
    ]
