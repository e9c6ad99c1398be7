-- Reports changed straight in the table (an officer moving a misplaced report in QGIS, a script closing old
-- ones) leave no history row, whose notification (0007) is what moves the reports' version: this one does it
-- for them, so the report tiles and their ETags follow such an edit as every other layer's do (0010). Once a
-- statement; PostgreSQL sends one per transaction (equal payloads fold). The API's status change sends it too,
-- beside its history row's: one more move of the version, nothing else.
CREATE FUNCTION wm_notify_report_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wardmap_reports', 'edit');
    RETURN NULL;
END $$;
CREATE TRIGGER field_reports_edited AFTER UPDATE OR DELETE OR TRUNCATE ON field_reports
    FOR EACH STATEMENT EXECUTE FUNCTION wm_notify_report_edit();
