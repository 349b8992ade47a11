"""clients_name_spellings(): the name words each query word may stand for, in one call.

A PL/pgSQL function because PostgreSQL keeps the plans of the statements inside it for
the life of the connection: planning the three-way lookup (prefix, similarity, word
similarity) for every keystroke cost more than running it. The generic plan reads the
trigram index for all three tests (LIKE included), whatever the word; a word of one or
two letters reads a range of the primary key's pattern index. Sequential scans are off
inside the function: the lexicon is small enough that a plan built without statistics might
otherwise choose to read it whole, which costs milliseconds per word once it has grown (and
the trigram operators' real cost, migration 0006, may not survive a restore).
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION clients_name_spellings(query_words text[], like_patterns text[], max_each integer)
RETURNS TABLE(word_position integer, spelling text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(query_words, 1), 0) LOOP
        IF length(query_words[i]) >= 3 THEN
            RETURN QUERY SELECT i - 1, w.word FROM clients_clientnameword w
                WHERE w.word LIKE like_patterns[i] OR w.word % query_words[i] OR w.word %> query_words[i]
                LIMIT max_each;
        ELSE
            -- Words starting with a letter or two: a range of the primary key's pattern index
            -- (byte order; chr(1114111) sorts after every character).
            RETURN QUERY SELECT i - 1, w.word FROM clients_clientnameword w
                WHERE w.word ~>=~ query_words[i] AND w.word ~<~ (query_words[i] || chr(1114111))
                LIMIT max_each;
        END IF;
    END LOOP;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS clients_name_spellings(text[], text[], integer);"


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_trigram_operator_cost")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
