"""A decided budget is locked in the database too: its rows cannot be inserted, changed or
deleted, whatever path the write takes (ORM, admin, raw SQL). The service that decides a budget
writes its rows before it changes the status, so it never needs an exception; an operator who
truly must (e.g. to delete a whole förbund) sets ``finsam.unlock_budget = 'on'`` for the
transaction."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION forbund_budgetrad_locked() RETURNS trigger AS $$
DECLARE
    target bigint;
    current_status text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        target := OLD.budget_id;
    ELSE
        target := NEW.budget_id;
    END IF;
    SELECT status INTO current_status FROM forbund_budget WHERE id = target;
    IF current_status IS NOT NULL AND current_status <> 'UTKAST'
       AND coalesce(current_setting('finsam.unlock_budget', true), '') <> 'on' THEN
        RAISE EXCEPTION 'budget % är beslutad och låst', target USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER forbund_budgetrad_locked
BEFORE INSERT OR UPDATE OR DELETE ON forbund_budgetrad
FOR EACH ROW EXECUTE FUNCTION forbund_budgetrad_locked();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS forbund_budgetrad_locked ON forbund_budgetrad;
DROP FUNCTION IF EXISTS forbund_budgetrad_locked();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("forbund", "0004_profil_finansiering_budget_styrelse"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
