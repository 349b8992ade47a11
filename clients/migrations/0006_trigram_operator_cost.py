"""Tell the planner what pg_trgm's similarity operators really cost.

PostgreSQL prices every function at COST 1 unless told otherwise, so for a few thousand
name words it prefers testing `word % 'smth'` on every row (about 7 ms) to asking the
trigram index (about 0.3 ms). COST 100 is what an operator that builds and compares
trigram sets for each row is worth. Only the functions' owner may change this: without
the right, the migration carries on (searches work, the lexicon lookup is just slower
until it grows past a few thousand words, where the planner picks the index anyway).
"""

from django.db import migrations

FUNCTIONS = [
    "similarity_op(text, text)",
    "word_similarity_op(text, text)",
    "word_similarity_commutator_op(text, text)",
]


def set_cost(cost: int) -> str:
    statements = " ".join(f"ALTER FUNCTION {function} COST {cost};" for function in FUNCTIONS)
    return f"""
    DO $$
    BEGIN
        {statements}
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'pg_trgm operator costs left as they are (not the owner of the functions)';
    END
    $$;
    """


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_drop_duplicate_prefix_index")]

    operations = [migrations.RunSQL(set_cost(100), reverse_sql=set_cost(1))]
