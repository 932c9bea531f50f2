"""Land rules the database keeps on its own, whatever the code does.

- An allocation is live only for an approved application.
- For every zone, the area of the plots with a live allocation (allocated or reserved) in the zone
  and all its descendants never exceeds the zone's area; so a child zone's never exceeds its own
  area nor its parent's.
- A zone is no larger than its parent, and the zone tree has no cycles.

Constraint triggers (AFTER ... FOR EACH ROW, DEFERRABLE INITIALLY IMMEDIATE) raise SQLSTATE 23514
(check_violation), which Django reports as IntegrityError. They complement, not replace, the row
locks the land services take: a trigger sees only committed rows and its own transaction's.
"""
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION tenants_check_zone_capacity(start_zone bigint) RETURNS void AS $$
DECLARE
    z record;
    used numeric;
BEGIN
    FOR z IN
        WITH RECURSIVE chain(id) AS (
            SELECT id FROM tenants_zone WHERE id = start_zone
            UNION
            SELECT t.parent_id FROM tenants_zone t JOIN chain c ON t.id = c.id WHERE t.parent_id IS NOT NULL
        )
        SELECT tz.id, tz.code, tz.area_ha FROM tenants_zone tz JOIN chain ON chain.id = tz.id
    LOOP
        WITH RECURSIVE sub(id) AS (
            SELECT z.id
            UNION
            SELECT t.id FROM tenants_zone t JOIN sub ON t.parent_id = sub.id
        )
        SELECT COALESCE(SUM(p.area_ha), 0) INTO used
        FROM tenants_allocation a JOIN tenants_plot p ON p.id = a.plot_id
        WHERE a.is_live AND p.zone_id IN (SELECT id FROM sub);
        IF used > z.area_ha THEN
            RAISE EXCEPTION 'zone "%" capacity exceeded: % ha of live allocations, % ha of land', z.code, used, z.area_ha
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenants_zone_capacity';
        END IF;
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION tenants_allocation_guard() RETURNS trigger AS $$
DECLARE
    app_status text;
    plot_zone bigint;
BEGIN
    IF NOT NEW.is_live THEN
        RETURN NULL;
    END IF;
    SELECT status INTO app_status FROM tenants_application WHERE id = NEW.application_id;
    IF app_status IS DISTINCT FROM 'approved' THEN
        RAISE EXCEPTION 'allocation refused: application % is %, not approved', NEW.application_id, app_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tenants_allocation_approved_only';
    END IF;
    SELECT zone_id INTO plot_zone FROM tenants_plot WHERE id = NEW.plot_id;
    PERFORM tenants_check_zone_capacity(plot_zone);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER tenants_allocation_guard
    AFTER INSERT OR UPDATE OF is_live, plot_id, application_id ON tenants_allocation
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION tenants_allocation_guard();

CREATE OR REPLACE FUNCTION tenants_plot_guard() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenants_allocation WHERE plot_id = NEW.id AND is_live) THEN
        PERFORM tenants_check_zone_capacity(NEW.zone_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER tenants_plot_guard
    AFTER UPDATE OF area_ha, zone_id ON tenants_plot
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION tenants_plot_guard();

CREATE OR REPLACE FUNCTION tenants_zone_guard() RETURNS trigger AS $$
DECLARE
    parent_area numeric;
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        IF EXISTS (
            WITH RECURSIVE up(id) AS (
                SELECT NEW.parent_id
                UNION
                SELECT t.parent_id FROM tenants_zone t JOIN up ON t.id = up.id WHERE t.parent_id IS NOT NULL
            ) SELECT 1 FROM up WHERE id = NEW.id
        ) THEN
            RAISE EXCEPTION 'zone "%" cannot be inside itself', NEW.code
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenants_zone_no_cycle';
        END IF;
        SELECT area_ha INTO parent_area FROM tenants_zone WHERE id = NEW.parent_id;
        IF NEW.area_ha > parent_area THEN
            RAISE EXCEPTION 'zone "%" (% ha) is larger than its parent (% ha)', NEW.code, NEW.area_ha, parent_area
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenants_zone_within_parent';
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM tenants_zone WHERE parent_id = NEW.id AND area_ha > NEW.area_ha) THEN
        RAISE EXCEPTION 'zone "%" (% ha) is smaller than one of its child zones', NEW.code, NEW.area_ha
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tenants_zone_within_parent';
    END IF;
    PERFORM tenants_check_zone_capacity(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER tenants_zone_guard
    AFTER INSERT OR UPDATE OF area_ha, parent_id ON tenants_zone
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION tenants_zone_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS tenants_zone_guard ON tenants_zone;
DROP TRIGGER IF EXISTS tenants_plot_guard ON tenants_plot;
DROP TRIGGER IF EXISTS tenants_allocation_guard ON tenants_allocation;
DROP FUNCTION IF EXISTS tenants_zone_guard();
DROP FUNCTION IF EXISTS tenants_plot_guard();
DROP FUNCTION IF EXISTS tenants_allocation_guard();
DROP FUNCTION IF EXISTS tenants_check_zone_capacity(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
