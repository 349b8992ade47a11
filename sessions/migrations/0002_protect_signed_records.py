"""Signed notes and addenda cannot change, whatever the code path (raw SQL included).

- visits_sessionnote: once signed_at is set, UPDATE of the signed columns and DELETE fail.
- visits_notearea: rows of a signed note cannot be added, changed or removed.
- visits_addendum: append-only; UPDATE and DELETE always fail.
"""

from django.db import migrations

SIGNED_COLUMNS_NEW = "NEW.client_id, NEW.therapist_id, NEW.visit_date, NEW.update_since_last, NEW.health_changed, NEW.pain_before, NEW.pain_after, NEW.techniques, NEW.pressure, NEW.client_feedback, NEW.tissue_response, NEW.home_care_stretches, NEW.home_care_strengthening, NEW.home_care_posture, NEW.next_visit_date, NEW.next_visit_interval_days, NEW.duration_minutes, NEW.signed_at, NEW.signed_by_id, NEW.content_hash"
SIGNED_COLUMNS_OLD = "OLD.client_id, OLD.therapist_id, OLD.visit_date, OLD.update_since_last, OLD.health_changed, OLD.pain_before, OLD.pain_after, OLD.techniques, OLD.pressure, OLD.client_feedback, OLD.tissue_response, OLD.home_care_stretches, OLD.home_care_strengthening, OLD.home_care_posture, OLD.next_visit_date, OLD.next_visit_interval_days, OLD.duration_minutes, OLD.signed_at, OLD.signed_by_id, OLD.content_hash"

FORWARD = f"""
CREATE FUNCTION visits_protect_signed_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'session note % is signed and cannot be deleted', OLD.id
                USING HINT = 'Add an addendum instead.';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.signed_at IS NOT NULL AND ROW({SIGNED_COLUMNS_NEW}) IS DISTINCT FROM ROW({SIGNED_COLUMNS_OLD}) THEN
        RAISE EXCEPTION 'session note % is signed and cannot be changed', OLD.id
            USING HINT = 'Add an addendum instead.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER visits_sessionnote_protect_signed
    BEFORE UPDATE OR DELETE ON visits_sessionnote
    FOR EACH ROW EXECUTE FUNCTION visits_protect_signed_note();

CREATE FUNCTION visits_protect_signed_note_areas() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent bigint;
BEGIN
    parent := CASE WHEN TG_OP = 'DELETE' THEN OLD.note_id ELSE NEW.note_id END;
    IF EXISTS (SELECT 1 FROM visits_sessionnote WHERE id = parent AND signed_at IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND EXISTS (
           SELECT 1 FROM visits_sessionnote WHERE id = OLD.note_id AND signed_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'session note % is signed: its areas cannot change', parent
            USING HINT = 'Add an addendum instead.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER visits_notearea_protect_signed
    BEFORE INSERT OR UPDATE OR DELETE ON visits_notearea
    FOR EACH ROW EXECUTE FUNCTION visits_protect_signed_note_areas();

CREATE FUNCTION visits_addendum_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'addenda are append-only: addendum % cannot be changed or deleted', OLD.id;
END
$$;
CREATE TRIGGER visits_addendum_append_only
    BEFORE UPDATE OR DELETE ON visits_addendum
    FOR EACH ROW EXECUTE FUNCTION visits_addendum_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS visits_addendum_append_only ON visits_addendum;
DROP FUNCTION IF EXISTS visits_addendum_append_only();
DROP TRIGGER IF EXISTS visits_notearea_protect_signed ON visits_notearea;
DROP FUNCTION IF EXISTS visits_protect_signed_note_areas();
DROP TRIGGER IF EXISTS visits_sessionnote_protect_signed ON visits_sessionnote;
DROP FUNCTION IF EXISTS visits_protect_signed_note();
"""

class Migration(migrations.Migration):
    dependencies = [("visits", "0001_clinical_records")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
