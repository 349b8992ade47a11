"""Search terms computed in Python (clients/search.py) instead of by PostgreSQL expressions.

The generated columns folded accents with a hand-kept translate() table; fold() now folds
the whole of Unicode, and search_terms() adds joined words, characters of Chinese, Japanese
and Korean names, and transliterations, which no immutable SQL expression can do. The
lexicon gains deletion keys (typo tolerance: swapped, missing, extra and wrong letters) and
loses its trigram index; its trigger goes (Client.save and bulk_create collect the words).
The search function is replaced. Clients get last_visit_at, kept by scheduling's trigger.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


DROP_OLD = """
DROP TRIGGER IF EXISTS clients_client_collect_name_words ON clients_client;
DROP FUNCTION IF EXISTS clients_collect_name_words();
DROP FUNCTION IF EXISTS clients_name_spellings(text[], text[], integer);
"""

# A PL/pgSQL function because PostgreSQL keeps the plans of the statements inside it for the
# life of the connection. Three lookups, each through an index: words starting with each
# term (a range of the primary key's pattern index; chr(1114111) sorts after every
# character), lexicon words sharing a deletion key with a term, and exact words (nicknames,
# halves of a split word). Sequential scans are off inside: a plan built without statistics
# might otherwise read the lexicon whole.
CREATE_SPELLINGS = r"""
CREATE OR REPLACE FUNCTION clients_name_spellings(
    terms text[], max_each integer,
    delete_keys text[], key_positions integer[],
    exact_words text[], exact_positions integer[])
RETURNS TABLE(term_position integer, spelling text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(terms, 1), 0) LOOP
        RETURN QUERY SELECT i - 1, w.word FROM clients_clientnameword w
            WHERE w.word ~>=~ terms[i] AND w.word ~<~ (terms[i] || chr(1114111))
            LIMIT max_each;
    END LOOP;
    RETURN QUERY SELECT DISTINCT k.position, d.word
        FROM unnest(delete_keys, key_positions) AS k(key, position)
        JOIN clients_nameworddelete d ON d.key = k.key;
    RETURN QUERY SELECT e.position, w.word
        FROM unnest(exact_words, exact_positions) AS e(word, position)
        JOIN clients_clientnameword w ON w.word = e.word;
END
$$;
"""


def fill_search_terms(apps, schema_editor):
    """Every client's search columns and the lexicon, anew (old words were folded the old way)."""
    from clients.models import ClientNameWord
    from clients.search import fold, search_terms

    Client = apps.get_model("clients", "Client")
    names = ("first_name", "last_name", "preferred_name")
    batch = []
    for client in Client.objects.only("id", *names).iterator(chunk_size=2000):
        client.search_name = fold(" ".join(getattr(client, name) for name in names))
        client.name_words = search_terms(*(getattr(client, name) for name in names))
        batch.append(client)
        if len(batch) == 2000:
            Client.objects.bulk_update(batch, ["search_name", "name_words"])
            batch = []
    Client.objects.bulk_update(batch, ["search_name", "name_words"])
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM clients_clientnameword")
    ClientNameWord.collect_all()


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0007_name_spellings_function"),
    ]

    operations = [
        migrations.CreateModel(
            name="NameWordDelete",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "key", "word", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key", models.TextField()),
                ("word", models.TextField()),
            ],
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="client",
            name="audit_update",
        ),
        migrations.RemoveIndex(
            model_name="clientnameword",
            name="nameword_trgm",
        ),
        migrations.AddField(
            model_name="client",
            name="last_visit_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(DROP_OLD, reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="client", name="client_search_name_trgm"),
        migrations.RemoveIndex(model_name="client", name="client_name_words"),
        migrations.RemoveField(model_name="client", name="name_words"),
        migrations.RemoveField(model_name="client", name="search_name"),
        migrations.AddField(
            model_name="client",
            name="name_words",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.TextField(), default=list, editable=False, size=None
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="search_name",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_terms, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="client",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("search_name", name="gin_trgm_ops"),
                name="client_search_name_trgm",
                fastupdate=False,
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["name_words"], name="client_name_words", fastupdate=False
            ),
        ),
        migrations.RunSQL(CREATE_SPELLINGS, reverse_sql=migrations.RunSQL.noop),
        pgtrigger.migrations.AddTrigger(
            model_name="client",
            trigger=pgtrigger.compiler.Trigger(
                name="audit_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."address" IS DISTINCT FROM (NEW."address") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."creation_key" IS DISTINCT FROM (NEW."creation_key") OR OLD."date_of_birth" IS DISTINCT FROM (NEW."date_of_birth") OR OLD."desk_notes" IS DISTINCT FROM (NEW."desk_notes") OR OLD."email" IS DISTINCT FROM (NEW."email") OR OLD."emergency_contact_name" IS DISTINCT FROM (NEW."emergency_contact_name") OR OLD."emergency_contact_phone" IS DISTINCT FROM (NEW."emergency_contact_phone") OR OLD."emergency_contact_relationship" IS DISTINCT FROM (NEW."emergency_contact_relationship") OR OLD."first_name" IS DISTINCT FROM (NEW."first_name") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."last_name" IS DISTINCT FROM (NEW."last_name") OR OLD."phone" IS DISTINCT FROM (NEW."phone") OR OLD."preferred_name" IS DISTINCT FROM (NEW."preferred_name") OR OLD."preferred_pressure" IS DISTINCT FROM (NEW."preferred_pressure") OR OLD."pronouns" IS DISTINCT FROM (NEW."pronouns") OR OLD."referral_source" IS DISTINCT FROM (NEW."referral_source") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."updated_at" IS DISTINCT FROM (NEW."updated_at") OR OLD."updated_by_id" IS DISTINCT FROM (NEW."updated_by_id"))',
                    func='INSERT INTO "audit_clientevent" ("address", "created_at", "created_by_id", "creation_key", "date_of_birth", "desk_notes", "email", "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship", "first_name", "id", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "preferred_name", "preferred_pressure", "pronouns", "referral_source", "status", "updated_at", "updated_by_id") VALUES (NEW."address", NEW."created_at", NEW."created_by_id", NEW."creation_key", NEW."date_of_birth", NEW."desk_notes", NEW."email", NEW."emergency_contact_name", NEW."emergency_contact_phone", NEW."emergency_contact_relationship", NEW."first_name", NEW."id", NEW."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."phone", NEW."preferred_name", NEW."preferred_pressure", NEW."pronouns", NEW."referral_source", NEW."status", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="b2818c459cecfcf8609622cc5f09beaa1b89de58",
                    operation="UPDATE",
                    pgid="pgtrigger_audit_update_46df6",
                    table="clients_client",
                    when="AFTER",
                ),
            ),
        ),
    ]
