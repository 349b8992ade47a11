"""The appointment book moves here from the clinical-records app (label visits). State only:
the tables keep their names (visits_service, visits_workinghours, visits_appointment), with
their rows, constraints, indexes and audit triggers; nothing in the database changes but the
content types, renamed so that permissions granted on them keep their meaning.
"""

import datetime
import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
import sessions.models
from django.conf import settings
from django.db import migrations, models


MOVED = ("service", "workinghours", "appointment")


def rename_content_types(apps, schema_editor, old="visits", new="scheduling"):
    """Permissions hang on content types: renaming the types keeps every grant (roles, staff)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)


def rename_content_types_back(apps, schema_editor):
    rename_content_types(apps, schema_editor, old="scheduling", new="visits")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("clients", "0007_name_spellings_function"),
        ("visits", "0008_record_seals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Service",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100)),
                        (
                            "duration_minutes",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(5),
                                    django.core.validators.MaxValueValidator(480),
                                ]
                            ),
                        ),
                        ("fee", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("active", models.BooleanField(default=True)),
                        ("position", models.PositiveSmallIntegerField(default=100)),
                    ],
                    options={
                        "db_table": "visits_service",
                        "ordering": ["position", "duration_minutes", "name"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("duration_minutes__gte", 5)), name="service_duration_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("duration_minutes__lte", 480)),
                                name="service_duration_at_most_longest",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("fee__gte", 0)), name="service_fee_not_negative"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WorkingHours",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "weekday",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "Monday"),
                                    (1, "Tuesday"),
                                    (2, "Wednesday"),
                                    (3, "Thursday"),
                                    (4, "Friday"),
                                    (5, "Saturday"),
                                    (6, "Sunday"),
                                ]
                            ),
                        ),
                        ("starts", models.TimeField()),
                        ("ends", models.TimeField()),
                        (
                            "therapist",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="working_hours",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "working hours",
                        "db_table": "visits_workinghours",
                        "ordering": ["therapist", "weekday", "starts"],
                    },
                ),
                migrations.CreateModel(
                    name="Appointment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        ("fee", models.DecimalField(decimal_places=2, max_digits=8)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("booked", "Booked"),
                                    ("checked_in", "Checked in"),
                                    ("completed", "Completed"),
                                    ("cancelled", "Cancelled"),
                                    ("no_show", "No-show"),
                                ],
                                default="booked",
                                max_length=12,
                            ),
                        ),
                        (
                            "desk_notes",
                            models.CharField(
                                blank=True,
                                help_text="Scheduling notes only; no health information.",
                                max_length=300,
                                verbose_name="notes for the desk",
                            ),
                        ),
                        ("cancel_reason", models.CharField(blank=True, max_length=200)),
                        ("reminder_sent_for", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "client",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="clients.client",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "note",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointment",
                                to="visits.sessionnote",
                            ),
                        ),
                        (
                            "therapist",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "service",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="scheduling.service"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "visits_appointment",
                        "indexes": [
                            models.Index(fields=["starts_at"], name="appointment_start"),
                            models.Index(fields=["therapist", "starts_at"], name="appointment_therapist_start"),
                            models.Index(fields=["client", "-starts_at"], name="appointment_client_start"),
                        ],
                        "constraints": [
                            django.contrib.postgres.constraints.ExclusionConstraint(
                                condition=models.Q(("status__in", ["cancelled", "no_show"]), _negated=True),
                                expressions=[
                                    ("therapist", "="),
                                    (
                                        sessions.models.TsTzRange(
                                            "starts_at",
                                            "ends_at",
                                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                                        ),
                                        "&&",
                                    ),
                                ],
                                name="appointment_no_double_booking",
                                violation_error_message="The therapist already has a visit at that time.",
                            ),
                            django.contrib.postgres.constraints.ExclusionConstraint(
                                condition=models.Q(("status__in", ["cancelled", "no_show"]), _negated=True),
                                expressions=[
                                    ("client", "="),
                                    (
                                        sessions.models.TsTzRange(
                                            "starts_at",
                                            "ends_at",
                                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                                        ),
                                        "&&",
                                    ),
                                ],
                                name="appointment_client_no_overlap",
                                violation_error_message="The client already has a visit at that time.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                                name="appointment_ends_after_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "ends_at__lte",
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("starts_at"), "+", models.Value(datetime.timedelta(seconds=28800))
                                        ),
                                    )
                                ),
                                name="appointment_at_most_longest_visit",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["booked", "checked_in", "completed", "cancelled", "no_show"])
                                ),
                                name="appointment_status_valid",
                            ),
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="workinghours",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends__gt", models.F("starts"))), name="workinghours_ends_after_start"
                    ),
                ),
            ],
        ),
        # The audit triggers on visits_appointment were named after the old app (pgtrigger
        # derives the name from the model's app): replace them with the same triggers under the
        # names pgtrigger now expects, so its state and the database agree.
        migrations.RunSQL(
            "DROP TRIGGER IF EXISTS pgtrigger_audit_insert_c3543 ON visits_appointment; "
            "DROP TRIGGER IF EXISTS pgtrigger_audit_update_71e2f ON visits_appointment; "
            "DROP TRIGGER IF EXISTS pgtrigger_audit_delete_a5acc ON visits_appointment;",
            migrations.RunSQL.noop,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="appointment",
            trigger=pgtrigger.compiler.Trigger(
                name="audit_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "audit_appointmentevent" ("cancel_reason", "client_id", "created_at", "created_by_id", "desk_notes", "ends_at", "fee", "id", "note_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reminder_sent_for", "service_id", "starts_at", "status", "therapist_id", "updated_at") VALUES (NEW."cancel_reason", NEW."client_id", NEW."created_at", NEW."created_by_id", NEW."desk_notes", NEW."ends_at", NEW."fee", NEW."id", NEW."note_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'insert\', NEW."id", NEW."reminder_sent_for", NEW."service_id", NEW."starts_at", NEW."status", NEW."therapist_id", NEW."updated_at"); RETURN NULL;',
                    hash="e7ed20360cbc77a9bfd00238ff5e1ba831c33a52",
                    operation="INSERT",
                    pgid="pgtrigger_audit_insert_54b2f",
                    table="visits_appointment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="appointment",
            trigger=pgtrigger.compiler.Trigger(
                name="audit_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "audit_appointmentevent" ("cancel_reason", "client_id", "created_at", "created_by_id", "desk_notes", "ends_at", "fee", "id", "note_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reminder_sent_for", "service_id", "starts_at", "status", "therapist_id", "updated_at") VALUES (NEW."cancel_reason", NEW."client_id", NEW."created_at", NEW."created_by_id", NEW."desk_notes", NEW."ends_at", NEW."fee", NEW."id", NEW."note_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."reminder_sent_for", NEW."service_id", NEW."starts_at", NEW."status", NEW."therapist_id", NEW."updated_at"); RETURN NULL;',
                    hash="db72e9d180ebac907ff55ff0e204efdc8d8cceed",
                    operation="UPDATE",
                    pgid="pgtrigger_audit_update_b645a",
                    table="visits_appointment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="appointment",
            trigger=pgtrigger.compiler.Trigger(
                name="audit_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "audit_appointmentevent" ("cancel_reason", "client_id", "created_at", "created_by_id", "desk_notes", "ends_at", "fee", "id", "note_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reminder_sent_for", "service_id", "starts_at", "status", "therapist_id", "updated_at") VALUES (OLD."cancel_reason", OLD."client_id", OLD."created_at", OLD."created_by_id", OLD."desk_notes", OLD."ends_at", OLD."fee", OLD."id", OLD."note_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'delete\', OLD."id", OLD."reminder_sent_for", OLD."service_id", OLD."starts_at", OLD."status", OLD."therapist_id", OLD."updated_at"); RETURN NULL;',
                    hash="21c5a00092979a1936507ef3b36c06e0d77dff46",
                    operation="DELETE",
                    pgid="pgtrigger_audit_delete_0b17d",
                    table="visits_appointment",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunPython(rename_content_types, rename_content_types_back),
    ]
