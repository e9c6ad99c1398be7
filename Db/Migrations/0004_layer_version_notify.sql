-- Tell listening servers when a layer's data changes, so their tile caches drop exactly that layer's
-- tiles at once (they also poll, in case a notification is missed while reconnecting).
CREATE FUNCTION wm_notify_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wardmap_layer_versions', NEW.layer || ':' || NEW.version);
    RETURN NEW;
END $$;

CREATE TRIGGER layer_versions_notify AFTER INSERT OR UPDATE ON layer_versions
    FOR EACH ROW EXECUTE FUNCTION wm_notify_layer_version();
