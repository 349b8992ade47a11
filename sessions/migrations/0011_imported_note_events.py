# The change-history triggers of imported notes (pghistory; their event table is audit 0009).

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0010_imported_notes'),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name='importednote',
            trigger=pgtrigger.compiler.Trigger(name='audit_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "audit_importednoteevent" ("author_name", "client_id", "content", "content_hash", "external_id", "id", "import_batch_id", "imported_at", "imported_by_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "replaces_id", "signed_at", "source", "title", "visit_date") VALUES (NEW."author_name", NEW."client_id", NEW."content", NEW."content_hash", NEW."external_id", NEW."id", NEW."import_batch_id", NEW."imported_at", NEW."imported_by_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'insert\', NEW."id", NEW."replaces_id", NEW."signed_at", NEW."source", NEW."title", NEW."visit_date"); RETURN NULL;', hash='1b90ddd7622304d119e57bb8bdc629d4f0921dea', operation='INSERT', pgid='pgtrigger_audit_insert_36edf', table='visits_importednote', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='importednote',
            trigger=pgtrigger.compiler.Trigger(name='audit_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "audit_importednoteevent" ("author_name", "client_id", "content", "content_hash", "external_id", "id", "import_batch_id", "imported_at", "imported_by_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "replaces_id", "signed_at", "source", "title", "visit_date") VALUES (NEW."author_name", NEW."client_id", NEW."content", NEW."content_hash", NEW."external_id", NEW."id", NEW."import_batch_id", NEW."imported_at", NEW."imported_by_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."replaces_id", NEW."signed_at", NEW."source", NEW."title", NEW."visit_date"); RETURN NULL;', hash='de448d8e0db90b7604149583e4900454fc1878c3', operation='UPDATE', pgid='pgtrigger_audit_update_6dbc2', table='visits_importednote', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='importednote',
            trigger=pgtrigger.compiler.Trigger(name='audit_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "audit_importednoteevent" ("author_name", "client_id", "content", "content_hash", "external_id", "id", "import_batch_id", "imported_at", "imported_by_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "replaces_id", "signed_at", "source", "title", "visit_date") VALUES (OLD."author_name", OLD."client_id", OLD."content", OLD."content_hash", OLD."external_id", OLD."id", OLD."import_batch_id", OLD."imported_at", OLD."imported_by_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'delete\', OLD."id", OLD."replaces_id", OLD."signed_at", OLD."source", OLD."title", OLD."visit_date"); RETURN NULL;', hash='eb6bba5d34216eab9a5dedee0f5244460c237672', operation='DELETE', pgid='pgtrigger_audit_delete_587a5', table='visits_importednote', when='AFTER')),
        ),
    ]
