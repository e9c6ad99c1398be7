-- Field reports: a notification for every history row (creation and each status change), so the IOC's
-- live stream (SSE) can push it, and resume from Last-Event-ID (= the history row id) after a drop.
CREATE FUNCTION wm_notify_report_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wardmap_reports', NEW.id::text);
    RETURN NEW;
END $$;
CREATE TRIGGER field_report_history_notify AFTER INSERT ON field_report_history
    FOR EACH ROW EXECUTE FUNCTION wm_notify_report_event();

ALTER TABLE field_reports ADD COLUMN photo_type text;
CREATE INDEX field_reports_created ON field_reports (created_at DESC);
