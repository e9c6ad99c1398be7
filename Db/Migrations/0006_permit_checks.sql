-- Stored permit checks: what was asked, what was answered, by whom, under which rule-set version.
CREATE TABLE permit_checks (
    id           bigserial PRIMARY KEY,
    parcel_id    bigint NOT NULL,
    verdict      text NOT NULL CHECK (verdict IN ('pass', 'fail', 'review')),
    rule_set     text NOT NULL,
    request      jsonb NOT NULL,
    result       jsonb NOT NULL,
    footprint    geometry(Polygon, 4326),
    who          text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX permit_checks_parcel ON permit_checks (parcel_id, created_at DESC);
