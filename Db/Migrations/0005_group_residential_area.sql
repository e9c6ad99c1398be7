-- Residential area of each residential group (ODT/ONT parcels placed by a point on them), kept with the
-- group so a planning overlay can spread population by residential area without summing a whole
-- group's parcels per request. Refreshed by wm_refresh_group_residential_area(), which the importer
-- runs in the same transaction as any import of parcels or groups.
ALTER TABLE residential_groups ADD COLUMN residential_area_m2 numeric(14, 1) NOT NULL DEFAULT 0 CHECK (residential_area_m2 >= 0);

CREATE FUNCTION wm_refresh_group_residential_area() RETURNS void LANGUAGE sql AS $$
    UPDATE residential_groups g SET residential_area_m2 = COALESCE((
        SELECT sum(p.legal_area_m2) FROM parcels p
        WHERE p.geom && g.geom AND ST_Intersects(g.geom, ST_PointOnSurface(p.geom))
          AND p.land_use ~ '(^|\+)(ODT|ONT)(\+|$)'), 0)
$$;
SELECT wm_refresh_group_residential_area();
