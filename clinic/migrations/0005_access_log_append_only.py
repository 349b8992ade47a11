from django.db import migrations

FORWARD = """
CREATE FUNCTION clinic_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: rows cannot be changed or deleted', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER clinic_accesslog_append_only
    BEFORE UPDATE OR DELETE ON clinic_accesslog
    FOR EACH ROW EXECUTE FUNCTION clinic_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS clinic_accesslog_append_only ON clinic_accesslog;
DROP FUNCTION IF EXISTS clinic_append_only();
"""


class Migration(migrations.Migration):
    """The access log is evidence: PostgreSQL refuses UPDATE and DELETE on it.

    clinic_append_only() can guard other audit tables too (CREATE TRIGGER ... EXECUTE
    FUNCTION clinic_append_only()).
    """

    dependencies = [("clinic", "0004_access_log")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
