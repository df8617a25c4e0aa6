"""Database-level guarantees that a CHECK cannot express (design section 4, SECURITY 4, 7, 8).

* Append-only logs: UPDATE and DELETE on the access log and the anonymisation ledger are refused
  for every role; TRUNCATE is refused for every role except a superuser (Django's test runner
  empties tables with TRUNCATE as superuser; the application's role in production is not one).
* Hash chain: each access-log row gets a sequence number and SHA-256 over its content and the
  previous row's hash within its förbund, under an advisory lock so concurrent inserts chain in
  commit order.
* Identity only with consent: an identified participation must point at a non-withdrawn consent
  of the same person for the same insats, and the person must belong to the insats's controller.
* Anonymous participations carry no details: försörjning rows and follow-ups need an identity.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION deltagare_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'Tabellen % är append-only: % är inte tillåtet', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER atkomstlogg_no_update BEFORE UPDATE OR DELETE ON deltagare_atkomstlogg
  FOR EACH ROW EXECUTE FUNCTION deltagare_refuse_change();
CREATE TRIGGER atkomstlogg_no_truncate BEFORE TRUNCATE ON deltagare_atkomstlogg
  FOR EACH STATEMENT EXECUTE FUNCTION deltagare_refuse_change();
CREATE TRIGGER anonymisering_no_update BEFORE UPDATE OR DELETE ON deltagare_anonymisering
  FOR EACH ROW EXECUTE FUNCTION deltagare_refuse_change();
CREATE TRIGGER anonymisering_no_truncate BEFORE TRUNCATE ON deltagare_anonymisering
  FOR EACH STATEMENT EXECUTE FUNCTION deltagare_refuse_change();

CREATE OR REPLACE FUNCTION deltagare_atkomstlogg_hash(r deltagare_atkomstlogg) RETURNS text AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    r.prev_hash, r.kedja::text, r.forbund_id::text, coalesce(r.medlem_id::text, ''),
    r.user_id::text, coalesce(r.person_uuid::text, ''), coalesce(r.deltagande_id::text, ''),
    r.vad, to_char(r.tidpunkt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), r.begaran
  ), 'UTF8')), 'hex');
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION deltagare_atkomstlogg_chain() RETURNS trigger AS $$
DECLARE
  last_row RECORD;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('deltagare_atkomstlogg'), NEW.forbund_id::int);
  SELECT kedja, hash INTO last_row FROM deltagare_atkomstlogg
    WHERE forbund_id = NEW.forbund_id ORDER BY kedja DESC LIMIT 1;
  IF FOUND THEN
    NEW.kedja := last_row.kedja + 1;
    NEW.prev_hash := last_row.hash;
  ELSE
    NEW.kedja := 1;
    NEW.prev_hash := '';
  END IF;
  NEW.hash := deltagare_atkomstlogg_hash(NEW);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER atkomstlogg_chain BEFORE INSERT ON deltagare_atkomstlogg
  FOR EACH ROW EXECUTE FUNCTION deltagare_atkomstlogg_chain();
CREATE INDEX atkomstlogg_kedja ON deltagare_atkomstlogg (forbund_id, kedja);

CREATE OR REPLACE FUNCTION deltagare_deltagande_consent() RETURNS trigger AS $$
BEGIN
  IF NEW.person_id IS NULL THEN
    RETURN NEW;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM deltagare_samtycke s
      JOIN deltagare_person p ON p.id = s.person_id
      JOIN insatser_insats i ON i.id = NEW.insats_id
     WHERE s.id = NEW.samtycke_id AND s.person_id = NEW.person_id
       AND s.insats_id = NEW.insats_id AND s.aterkallad IS NULL
       AND p.medlem_id = i.personuppgiftsansvarig_id AND i.forbund_id = NEW.forbund_id
  ) THEN
    RAISE EXCEPTION 'Identitet utan giltigt samtycke för insatsen (deltagande %)', NEW.nummer
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER deltagande_consent BEFORE INSERT OR UPDATE ON deltagare_deltagande
  FOR EACH ROW EXECUTE FUNCTION deltagare_deltagande_consent();

CREATE OR REPLACE FUNCTION deltagare_details_need_identity() RETURNS trigger AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM deltagare_deltagande d
     WHERE d.id = NEW.deltagande_id AND d.person_id IS NOT NULL
  ) THEN
    RAISE EXCEPTION 'Anonyma deltaganden har inga uppgifter (%)', TG_TABLE_NAME
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER forsorjning_needs_identity BEFORE INSERT OR UPDATE ON deltagare_forsorjning
  FOR EACH ROW EXECUTE FUNCTION deltagare_details_need_identity();
CREATE TRIGGER uppfoljning_needs_identity BEFORE INSERT OR UPDATE ON deltagare_uppfoljning
  FOR EACH ROW EXECUTE FUNCTION deltagare_details_need_identity();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS uppfoljning_needs_identity ON deltagare_uppfoljning;
DROP TRIGGER IF EXISTS forsorjning_needs_identity ON deltagare_forsorjning;
DROP FUNCTION IF EXISTS deltagare_details_need_identity();
DROP TRIGGER IF EXISTS deltagande_consent ON deltagare_deltagande;
DROP FUNCTION IF EXISTS deltagare_deltagande_consent();
DROP INDEX IF EXISTS atkomstlogg_kedja;
DROP TRIGGER IF EXISTS atkomstlogg_chain ON deltagare_atkomstlogg;
DROP FUNCTION IF EXISTS deltagare_atkomstlogg_chain();
DROP FUNCTION IF EXISTS deltagare_atkomstlogg_hash(deltagare_atkomstlogg);
DROP TRIGGER IF EXISTS anonymisering_no_truncate ON deltagare_anonymisering;
DROP TRIGGER IF EXISTS anonymisering_no_update ON deltagare_anonymisering;
DROP TRIGGER IF EXISTS atkomstlogg_no_truncate ON deltagare_atkomstlogg;
DROP TRIGGER IF EXISTS atkomstlogg_no_update ON deltagare_atkomstlogg;
DROP FUNCTION IF EXISTS deltagare_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("deltagare", "0002_seed_kodlistor")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
