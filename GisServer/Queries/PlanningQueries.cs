namespace WardMap.GisServer.Queries;

/// <summary>
/// Planners' questions, in SQL (rules: ../shared/domain/permits-and-planning.md, "Planning overlay").
/// Areas are plane areas in each parcel's TM-3 zone; the drawn polygon is measured in the ward's zone.
/// </summary>
public static class PlanningQueries
{
    /// <summary>
    /// A polygon -> parcels touched (area inside each), zones, residential groups and the population
    /// affected, spread by each group's residential area (ODT/ONT parcels) that falls inside.
    /// A parcel or zone wholly inside the polygon (most of them, when a planner draws a large area) is measured
    /// whole; only those the polygon's edge crosses are cut (ST_Intersection), and one that merely touches the
    /// edge comes out with nothing inside and is left out by the 0.05 m² floor. ST_ContainsProperly and
    /// ST_Intersects reuse the polygon prepared once (ST_Touches, used before, did not: 11 s for the whole ward).
    /// Each parcel is measured once, and its residential group found once, by the point on its surface.
    /// </summary>
    public const string Overlay = """
        WITH poly AS (SELECT @poly::geometry AS g),
        parcels_in AS (
          SELECT p.id, p.sheet_no, p.parcel_no, p.address, p.land_use, p.legal_area_m2, p.geom, m.area_m2,
                 CASE WHEN ST_ContainsProperly(poly.g, p.geom) THEN m.area_m2
                      ELSE ST_Area(ST_Transform(ST_Intersection(p.geom, poly.g), p.source_srid)) END AS inside_m2
          FROM parcels p CROSS JOIN poly CROSS JOIN LATERAL (SELECT ST_Area(ST_Transform(p.geom, p.source_srid)) AS area_m2) m
          WHERE ST_Intersects(p.geom, poly.g)),
        -- each land use named once: a thousand parcels hold a dozen codes, and a lookup costs ~25 µs (MATERIALIZED:
        -- inlined into the join below, it was named again per parcel, 0.1 s for a square kilometre)
        use_names AS MATERIALIZED (
          SELECT land_use, land_use_name(land_use) AS name FROM (SELECT DISTINCT land_use FROM parcels_in) u),
        residential_in AS (   -- per group: the part of its residential area (ODT/ONT parcels) inside
          SELECT grp.id AS group_id, sum(pi.inside_m2) AS inside_m2
          FROM parcels_in pi JOIN residential_groups grp ON ST_Intersects(grp.geom, ST_PointOnSurface(pi.geom))
          WHERE pi.land_use ~ '(^|\+)(ODT|ONT)(\+|$)'
          GROUP BY grp.id),
        residential AS (   -- and its whole residential area (kept up to date by imports); a group the polygon
                           -- only touches along its edge has nothing of it inside and is not listed
          SELECT * FROM (
            SELECT grp.id AS group_id, grp.residential_area_m2 AS area_m2, COALESCE(ri.inside_m2, 0) AS inside_m2,
                   ST_Area(ST_Transform(CASE WHEN ST_ContainsProperly(poly.g, grp.geom) THEN grp.geom
                                             ELSE ST_Intersection(grp.geom, poly.g) END, @srid)) AS drawn_m2
            FROM poly, residential_groups grp LEFT JOIN residential_in ri ON ri.group_id = grp.id
            WHERE ST_Intersects(grp.geom, poly.g)) r
          WHERE drawn_m2 > 0.05 OR inside_m2 > 0)
        SELECT json_build_object(
          'area_m2', round(ST_Area(ST_Transform((SELECT g FROM poly), @srid))::numeric, 1),
          'crs', 'EPSG:' || @srid,
          'parcels', COALESCE((SELECT json_agg(json_build_object('id', id, 'sheet_no', sheet_no, 'parcel_no', parcel_no, 'address', address,
                        'land_use', land_use, 'land_use_name', use_names.name,
                        'legal_area_m2', legal_area_m2, 'area_inside_m2', round(inside_m2::numeric, 1),
                        'share_pct', round((100 * inside_m2 / NULLIF(area_m2, 0))::numeric, 1))
                        ORDER BY sheet_no, parcel_no) FROM parcels_in JOIN use_names USING (land_use) WHERE inside_m2 > 0.05), '[]'::json),
          'zones', COALESCE((SELECT json_agg(z ORDER BY z.area_m2 DESC) FROM (
              SELECT zn.zone_code, zn.name, zn.planned_use, land_use_name(zn.planned_use) AS planned_use_name,
                     round(ST_Area(ST_Transform(CASE WHEN ST_ContainsProperly(poly.g, zn.geom) THEN zn.geom
                                                     ELSE ST_Intersection(zn.geom, poly.g) END, @srid))::numeric, 1) AS area_m2
              FROM zones zn, poly WHERE ST_Intersects(zn.geom, poly.g)) z WHERE z.area_m2 > 0.05), '[]'::json),
          'groups', COALESCE((SELECT json_agg(x ORDER BY x.code) FROM (
              SELECT grp.code, grp.name, grp.population, grp.households, round(r.drawn_m2::numeric, 1) AS area_inside_m2,
                     round((100 * COALESCE(r.inside_m2 / NULLIF(r.area_m2, 0), 0))::numeric, 1) AS residential_share_pct,
                     round(COALESCE(grp.population * r.inside_m2 / NULLIF(r.area_m2, 0), 0))::int AS population_affected
              FROM residential_groups grp JOIN residential r ON r.group_id = grp.id) x), '[]'::json),
          'population_affected', COALESCE((SELECT round(sum(grp.population * r.inside_m2 / NULLIF(r.area_m2, 0)))::int
                                           FROM residential r JOIN residential_groups grp ON grp.id = r.group_id), 0)
        )::text
        """;

    /// <summary>
    /// Parcels whose registered use contradicts the planned use of the zone covering most of them: fields in
    /// a housing (or any non-farming) zone are a future conversion, housing or business in a road or
    /// public-works zone is an acquisition, housing in a zone kept for farming a mismatch. Services and
    /// public buildings inside a housing zone are what such zones hold, so they are not listed.
    /// As in the overlay, a parcel wholly inside a zone is measured whole, and a zone that only touches a parcel
    /// comes out with nothing of it (never more than half): 0.4 s for the sample ward instead of 2 s.
    /// </summary>
    public const string Conflicts = """
        WITH best AS (
          SELECT DISTINCT ON (p.id) p.id, p.sheet_no, p.parcel_no, p.land_use, p.legal_area_m2, p.geom, p.source_srid,
                 z.zone_code, z.planned_use, z.plan_ref,
                 CASE WHEN ST_ContainsProperly(z.geom, p.geom) THEN ST_Area(ST_Transform(p.geom, p.source_srid))
                      ELSE ST_Area(ST_Transform(ST_Intersection(p.geom, z.geom), p.source_srid)) END AS zone_m2
          FROM parcels p JOIN zones z ON ST_Intersects(p.geom, z.geom)
          ORDER BY p.id, zone_m2 DESC),
        classified AS (
          SELECT b.*, pc.category AS parcel_category, zc.category AS zone_category,
                 CASE WHEN pc.category = 'agricultural' AND zc.category <> 'agricultural' THEN 'conversion'
                      WHEN pc.category IN ('residential', 'business') AND zc.category IN ('public_use', 'public') THEN 'acquisition'
                      WHEN pc.category IN ('residential', 'business') AND zc.category = 'agricultural' THEN 'mismatch'
                 END AS kind
          FROM best b
          JOIN land_use_codes pc ON pc.code = split_part(b.land_use, '+', 1)
          JOIN land_use_codes zc ON zc.code = split_part(b.planned_use, '+', 1)
          WHERE NOT (string_to_array(b.land_use, '+') && string_to_array(b.planned_use, '+'))
            AND pc.category <> zc.category
            AND b.zone_m2 > 0.5 * ST_Area(ST_Transform(b.geom, b.source_srid)))
        SELECT id, sheet_no, parcel_no, land_use, legal_area_m2::float8, zone_code, planned_use, kind,
               round(zone_m2::numeric, 1)::float8 AS area_in_zone_m2, plan_ref, ST_AsGeoJSON(geom, 7) AS geometry
        FROM classified WHERE kind IS NOT NULL ORDER BY kind, sheet_no, parcel_no
        """;

    /// <summary>Per residential group: population, households, parcels and area by land use (parcels placed by a point on them).</summary>
    public const string GroupStats = """
        SELECT COALESCE(json_agg(g ORDER BY g.code), '[]'::json)::text FROM (
          SELECT grp.code, grp.name, grp.population, grp.households,
                 count(p.id) AS parcels,
                 round(COALESCE(sum(p.legal_area_m2), 0)::numeric, 1) AS parcel_area_m2,
                 COALESCE((SELECT json_object_agg(u.land_use, u.area) FROM (
                     SELECT p2.land_use, round(sum(p2.legal_area_m2)::numeric, 1) AS area FROM parcels p2
                     WHERE p2.geom && grp.geom AND ST_Intersects(grp.geom, ST_PointOnSurface(p2.geom)) GROUP BY p2.land_use) u), '{}'::json) AS area_by_land_use_m2
          FROM residential_groups grp LEFT JOIN parcels p ON p.geom && grp.geom AND ST_Intersects(grp.geom, ST_PointOnSurface(p.geom))
          GROUP BY grp.id) g
        """;
}
