-- A report is acknowledged (accepted, or rejected with a reason) within working hours of arriving, before the
-- deadline for handling it: iHanoi asks for 8 working hours (Quyết định 1207/QĐ-UBND, 2025; field-reports.md,
-- "Deadlines seen in practice"). Per category, as data; a report's own deadline is kept as it was set.
ALTER TABLE report_categories ADD COLUMN accept_hours numeric NOT NULL DEFAULT 8;
ALTER TABLE field_reports ADD COLUMN accept_due_at timestamptz;
