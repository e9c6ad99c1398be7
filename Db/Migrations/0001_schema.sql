-- WardMap schema. Every geometry is EPSG:4326 with a GiST index; legal measurements are made in
-- the ward's VN-2000 TM-3 CRS (source_srid), see ../shared/domain/vn2000.md.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Which geometries a layer may hold: one place, reused by CHECK constraints. OGC validity is checked
-- (and repaired, with a report) by the importer, which owns every bulk write; repeating ST_IsValid
-- here would double the cost of loading a layer.
CREATE FUNCTION wm_is_areal(g geometry) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT GeometryType(g) IN ('POLYGON', 'MULTIPOLYGON') AND NOT ST_IsEmpty(g) $$;

CREATE TABLE ward_boundary (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,               -- commune/ward code, Quyết định 19/2025/QĐ-TTg
    name        text NOT NULL,
    province    text,
    source_srid integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id bigint,
    geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (wm_is_areal(geom))
);
CREATE INDEX ward_boundary_geom ON ward_boundary USING gist (geom);

-- Land-use codes as data the ward can correct (Thông tư 08/2024/TT-BTNMT).
CREATE TABLE land_use_codes (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    category    text NOT NULL,
    meaning_vi  text NOT NULL,
    meaning_en  text NOT NULL,
    color       text NOT NULL DEFAULT '#cccccc' CHECK (color ~ '^#[0-9a-fA-F]{6}$')
);
CREATE TABLE land_use_legacy (
    legacy_code  text PRIMARY KEY,
    current_code text NOT NULL REFERENCES land_use_codes (code),
    note         text
);

CREATE TABLE parcels (
    id              bigserial PRIMARY KEY,
    ward_code       text,
    sheet_no        integer NOT NULL CHECK (sheet_no > 0),         -- số tờ bản đồ
    parcel_no       integer NOT NULL CHECK (parcel_no > 0),        -- số thửa
    land_use        text NOT NULL CHECK (land_use ~ '^[A-Z]{3}(\+[A-Z]{3})*$'),  -- ODT or ODT+CLN
    land_use_source text,                                          -- the legacy code as received
    legal_area_m2   numeric(12, 1) NOT NULL CHECK (legal_area_m2 >= 0),  -- plane area in source_srid
    declared_area_m2 numeric(12, 1) CHECK (declared_area_m2 >= 0),      -- DienTich as received
    address         text,
    owner_name      text,     -- personal data: officers only
    owner_id        text,     -- personal data: officers only
    certificate_no  text,     -- personal data: officers only
    source_srid     integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id   bigint,
    geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (wm_is_areal(geom)),
    UNIQUE (sheet_no, parcel_no)
);
CREATE INDEX parcels_geom ON parcels USING gist (geom);
CREATE INDEX parcels_address ON parcels (lower(address) text_pattern_ops);

CREATE TABLE zones (
    id              bigserial PRIMARY KEY,
    zone_code       text NOT NULL UNIQUE,
    name            text,
    planned_use     text NOT NULL CHECK (planned_use ~ '^[A-Z]{3}(\+[A-Z]{3})*$'),
    max_density_pct numeric(5, 1) CHECK (max_density_pct BETWEEN 0 AND 100),
    max_floors      integer CHECK (max_floors > 0),
    max_height_m    numeric(6, 2) CHECK (max_height_m > 0),
    far             numeric(5, 2) CHECK (far >= 0),
    setback_m       numeric(6, 2) CHECK (setback_m >= 0),
    plan_ref        text,
    source_srid     integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id   bigint,
    geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (wm_is_areal(geom))
);
CREATE INDEX zones_geom ON zones USING gist (geom);

-- Red lines (chỉ giới đường đỏ) and protected corridors, stored as the reserved area.
CREATE TABLE red_lines (
    id            bigserial PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    kind          text NOT NULL CHECK (kind IN ('red_line', 'road_widening', 'protected_corridor', 'building_line')),
    name          text,
    width_m       numeric(7, 2) CHECK (width_m >= 0),
    plan_ref      text,
    source_srid   integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id bigint,
    geom          geometry(Geometry, 4326) NOT NULL
                  CHECK (GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON', 'LINESTRING', 'MULTILINESTRING') AND ST_IsValid(geom))
);
CREATE INDEX red_lines_geom ON red_lines USING gist (geom);

CREATE TABLE roads (
    id            bigserial PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text,
    width_m       numeric(6, 2) CHECK (width_m > 0),
    class         text,
    source_srid   integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id bigint,
    geom          geometry(MultiLineString, 4326) NOT NULL CHECK (NOT ST_IsEmpty(geom))
);
CREATE INDEX roads_geom ON roads USING gist (geom);

CREATE TABLE residential_groups (        -- tổ dân phố
    id            bigserial PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    population    integer CHECK (population >= 0),
    households    integer CHECK (households >= 0),
    leader        text,
    source_srid   integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id bigint,
    geom          geometry(MultiPolygon, 4326) NOT NULL CHECK (wm_is_areal(geom))
);
CREATE INDEX residential_groups_geom ON residential_groups USING gist (geom);

CREATE TABLE assets (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('light', 'camera', 'loudspeaker', 'wifi', 'school', 'led_screen',
                                              'sensor', 'drain', 'kiosk', 'hydrant', 'bus_stop', 'other')),
    code          text NOT NULL,
    name          text,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'broken', 'maintenance', 'planned', 'removed')),
    attributes    jsonb NOT NULL DEFAULT '{}',
    source_srid   integer NOT NULL REFERENCES spatial_ref_sys (srid),
    import_run_id bigint,
    geom          geometry(Geometry, 4326) NOT NULL CHECK (NOT ST_IsEmpty(geom) AND ST_IsValid(geom)),
    UNIQUE (kind, code)
);
CREATE INDEX assets_geom ON assets USING gist (geom);
CREATE INDEX assets_kind ON assets (kind);

-- Categories of field reports: who handles them and how fast (editable data, see field-reports.md).
CREATE TABLE report_categories (
    code          text PRIMARY KEY,
    name_vi       text NOT NULL,
    asset_kind    text,                      -- place the report on the nearest asset of this kind
    unit          text NOT NULL,             -- responsible unit
    priority      text NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent', 'complex', 'normal')),
    due_hours     integer NOT NULL CHECK (due_hours > 0)   -- working hours
);

CREATE TABLE field_reports (
    id              bigserial PRIMARY KEY,
    public_id       uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    idempotency_key text UNIQUE,
    category        text NOT NULL REFERENCES report_categories (code),
    text            text NOT NULL DEFAULT '',
    address         text,
    location        geometry(Point, 4326) NOT NULL,
    accuracy_m      numeric(8, 1) CHECK (accuracy_m >= 0),
    accuracy_source text,
    photo_sha256    text,
    contact_name    text,     -- personal data: officers only
    contact_phone   text,     -- personal data: officers only
    status          text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'in_progress', 'resolved', 'rejected')),
    placement       jsonb NOT NULL DEFAULT '{}',
    group_code      text,
    parcel_id       bigint,
    asset_id        bigint,
    road_id         bigint,
    unit            text,
    due_at          timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX field_reports_location ON field_reports USING gist (location);
CREATE INDEX field_reports_status ON field_reports (status, category);

CREATE TABLE field_report_history (
    id          bigserial PRIMARY KEY,
    report_id   bigint NOT NULL REFERENCES field_reports (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    who         text NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    reason      text
);
CREATE INDEX field_report_history_report ON field_report_history (report_id, at);

CREATE TABLE import_runs (
    id            bigserial PRIMARY KEY,
    layer         text NOT NULL,
    file          text NOT NULL,
    sha256        text NOT NULL,
    source_srid   integer,
    mode          text NOT NULL DEFAULT 'replace' CHECK (mode IN ('replace', 'upsert', 'dry_run')),
    rows_read     integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_loaded   integer NOT NULL DEFAULT 0 CHECK (rows_loaded >= 0),
    rows_repaired integer NOT NULL DEFAULT 0 CHECK (rows_repaired >= 0),
    rows_rejected integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    report        jsonb NOT NULL DEFAULT '{}',
    status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'dry_run')),
    who           text NOT NULL DEFAULT 'cli',
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX import_runs_layer ON import_runs (layer, started_at DESC);

CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    who     text NOT NULL,
    role    text NOT NULL,
    action  text NOT NULL,
    target  text,
    detail  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC);

CREATE TABLE api_keys (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('officer', 'planner', 'admin')),
    prefix      text NOT NULL UNIQUE,             -- first characters, to name a key without revealing it
    key_hash    text NOT NULL UNIQUE,             -- SHA-256 of the whole key; the key itself is never stored
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- A data version per layer: tile caches and ETags key on it; an import or edit bumps it.
CREATE TABLE layer_versions (
    layer       text PRIMARY KEY,
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO layer_versions (layer)
VALUES ('ward_boundary'), ('parcels'), ('zones'), ('red_lines'), ('roads'), ('residential_groups'), ('assets'), ('field_reports');
