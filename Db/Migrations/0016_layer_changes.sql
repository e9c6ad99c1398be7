-- What each import changed in a layer, row by row (biến động): a parcel that got a new owner, use or shape, one that
-- appeared (split off) or went (merged). Kept by the layer's natural key ("5/120" for a parcel: sheet/parcel), so a
-- parcel's history follows its number across replaces. The changed columns' values before and after are kept, the
-- geometry's only as 'geom' in fields. Owners' names and IDs are in before/after: read by officers only.
CREATE TABLE layer_changes (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES import_runs (id),
    layer       text NOT NULL,
    natural_key text NOT NULL,
    change      text NOT NULL CHECK (change IN ('added', 'changed', 'removed')),
    fields      text[] NOT NULL DEFAULT '{}',
    before      jsonb,
    after       jsonb
);
CREATE INDEX layer_changes_key ON layer_changes (layer, natural_key, run_id DESC);
CREATE INDEX layer_changes_run ON layer_changes (run_id);
