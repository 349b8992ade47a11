from django.db import migrations

FORWARD = """
CREATE FUNCTION clients_collect_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clients_clientnameword (word)
    SELECT DISTINCT w FROM unnest(NEW.name_words) AS w WHERE w <> ''
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_client_collect_name_words
    AFTER INSERT OR UPDATE OF first_name, last_name, preferred_name ON clients_client
    FOR EACH ROW EXECUTE FUNCTION clients_collect_name_words();
INSERT INTO clients_clientnameword (word)
SELECT DISTINCT w FROM clients_client, unnest(name_words) AS w WHERE w <> ''
ON CONFLICT DO NOTHING;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS clients_client_collect_name_words ON clients_client;
DROP FUNCTION IF EXISTS clients_collect_name_words();
"""


class Migration(migrations.Migration):
    """Keep the lexicon of name words (ClientNameWord) filled by PostgreSQL, whatever writes clients."""

    dependencies = [("clients", "0003_name_word_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
