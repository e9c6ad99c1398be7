-- A layer's data version moves with every committed change to its table, whoever makes it: an import
-- (Importer calls wm_layer_changed; a replacing import swaps in a new table, which no row trigger sees) or
-- an officer editing the table in QGIS straight in PostGIS (the triggers below). The tile caches, tile ETags
-- and the planners' conflict table key on these versions, so none of them can serve data older than what
-- was committed. Once per transaction and layer: an import's delete, copy and merge are one change.
CREATE FUNCTION wm_layer_changed(changed_layer text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    bumped text := 'wardmap.bumped_' || changed_layer;
    v bigint;
BEGIN
    IF current_setting(bumped, true) IS DISTINCT FROM txid_current()::text THEN
        INSERT INTO layer_versions (layer, version, updated_at) VALUES (changed_layer, 2, now())
        ON CONFLICT (layer) DO UPDATE SET version = layer_versions.version + 1, updated_at = now()
        RETURNING version INTO v;
        PERFORM set_config(bumped, txid_current()::text, true);
        RETURN v;
    END IF;
    SELECT version INTO v FROM layer_versions WHERE layer = changed_layer;
    RETURN v;
END $$;

CREATE FUNCTION wm_layer_changed_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM wm_layer_changed(TG_ARGV[0]);
    RETURN NULL;
END $$;

-- A replacing import recreates these on the table it swaps in (Importers/LoadTargets.cs copies every trigger).
CREATE TRIGGER ward_boundary_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ward_boundary
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('ward_boundary');
CREATE TRIGGER parcels_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parcels
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('parcels');
CREATE TRIGGER zones_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zones
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('zones');
CREATE TRIGGER red_lines_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON red_lines
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('red_lines');
CREATE TRIGGER roads_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roads
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('roads');
CREATE TRIGGER assets_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assets
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('assets');
-- Not on residential_area_m2 alone: wm_refresh_group_residential_area() (0005) sets it after every parcels
-- import, and no tile or answer keyed on the groups' version shows it. A column shown anywhere joins the list.
CREATE TRIGGER residential_groups_version AFTER INSERT OR DELETE OR TRUNCATE
    OR UPDATE OF code, name, population, households, leader, source_srid, import_run_id, geom ON residential_groups
    FOR EACH STATEMENT EXECUTE FUNCTION wm_layer_changed_trigger('residential_groups');
