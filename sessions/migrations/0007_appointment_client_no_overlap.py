import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
from django.db import migrations, models

import sessions.models

OVERLAPS = """
    SELECT a.id, b.id
    FROM visits_appointment a
    JOIN visits_appointment b
      ON a.client_id = b.client_id
     AND a.id < b.id
     AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
    WHERE a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')
    ORDER BY a.id, b.id
    LIMIT 20
"""


def refuse_existing_overlaps(apps, schema_editor):
    """Name the visits to sort out, rather than let PostgreSQL fail with a bare constraint error.

    Which of two overlapping visits is the real one is for the desk to decide (cancel or move
    the other), not for a migration.
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        pairs = cursor.fetchall()
    if pairs:
        listed = ", ".join(f"{a} and {b}" for a, b in pairs)
        raise RuntimeError(
            "Some clients have two live visits at the same time (appointment ids "
            f"{listed}{', ...' if len(pairs) == 20 else ''}). Cancel or move one of each pair, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0006_drop_client_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.RunPython(refuse_existing_overlaps, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                condition=models.Q(("status__in", ["cancelled", "no_show"]), _negated=True),
                expressions=[
                    ("client", "="),
                    (
                        sessions.models.TsTzRange(
                            "starts_at", "ends_at", django.contrib.postgres.fields.ranges.RangeBoundary()
                        ),
                        "&&",
                    ),
                ],
                name="appointment_client_no_overlap",
                violation_error_message="The client already has a visit at that time.",
            ),
        ),
    ]
