-- Field reports' data version is the newest row of their history (LayerVersions.ReadAllAsync, 0007), not a
-- counter in layer_versions: the row 0001 seeded for them was never bumped nor read.
DELETE FROM layer_versions WHERE layer = 'field_reports';
