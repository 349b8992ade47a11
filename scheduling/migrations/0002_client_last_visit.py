"""clients_client.last_visit_at: the start of each client's latest visit not cancelled (past or
booked ahead), kept by a trigger on every write to appointments, so the front-desk search can
rank recent and upcoming clients above long-inactive ones without reading the appointments."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION visits_refresh_client_last_visit(the_client bigint) RETURNS void
LANGUAGE sql AS $$
    UPDATE clients_client c SET last_visit_at = latest.starts_at
    FROM (SELECT max(a.starts_at) AS starts_at FROM visits_appointment a
          WHERE a.client_id = the_client AND a.status <> 'cancelled') AS latest
    WHERE c.id = the_client AND c.last_visit_at IS DISTINCT FROM latest.starts_at;
$$;

CREATE OR REPLACE FUNCTION visits_appointment_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM visits_refresh_client_last_visit(NEW.client_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.client_id <> NEW.client_id) THEN
        PERFORM visits_refresh_client_last_visit(OLD.client_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER visits_appointment_last_visit
    AFTER INSERT OR DELETE OR UPDATE OF client_id, starts_at, status ON visits_appointment
    FOR EACH ROW EXECUTE FUNCTION visits_appointment_last_visit();

UPDATE clients_client c SET last_visit_at = latest.starts_at
FROM (SELECT client_id, max(starts_at) AS starts_at FROM visits_appointment
      WHERE status <> 'cancelled' GROUP BY client_id) AS latest
WHERE c.id = latest.client_id;
"""

DROP = r"""
DROP TRIGGER IF EXISTS visits_appointment_last_visit ON visits_appointment;
DROP FUNCTION IF EXISTS visits_appointment_last_visit();
DROP FUNCTION IF EXISTS visits_refresh_client_last_visit(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_appointment_book_from_visits"),
        ("clients", "0008_search_terms"),
    ]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
