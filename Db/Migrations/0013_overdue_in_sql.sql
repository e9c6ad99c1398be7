-- Whether a report is past a deadline, for the API, its CSV and the report tiles alike (the IOC's wall map rings
-- overdue reports): 'acceptance' when it is still new after its working hours to be acknowledged (0012),
-- 'resolution' when it is still open after its due date, null when on time. Open: a status with a move left
-- (FieldReports.Moves); resolved and rejected are closed.
CREATE FUNCTION report_overdue_for(status text, accept_due_at timestamptz, due_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN status = 'new' AND accept_due_at < now() THEN 'acceptance'
                WHEN status IN ('new', 'accepted', 'in_progress') AND due_at < now() THEN 'resolution' END
$$;

-- The next moment a report becomes overdue with no change to its row: tiles that show overdue reports are
-- out of date from then on (LayerVersionWatcher moves the reports' version when it passes).
CREATE FUNCTION report_next_deadline() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT min(d) FROM (
        SELECT accept_due_at AS d FROM field_reports WHERE status = 'new' AND accept_due_at > now()
        UNION ALL
        SELECT due_at FROM field_reports WHERE status IN ('new', 'accepted', 'in_progress') AND due_at > now()) deadlines
$$;
