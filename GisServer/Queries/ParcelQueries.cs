using System.Text;
using Npgsql;

namespace WardMap.GisServer.Queries;

/// <summary>
/// Parcel look-ups, answered as GeoJSON built by PostGIS itself (ST_AsGeoJSON, json_build_object): one
/// statement per answer. Areas and lengths are measured in each parcel's VN-2000 TM-3 zone (source_srid).
/// </summary>
public static class ParcelQueries
{
    /// <summary>A parcel as a GeoJSON Feature; owner fields only when <c>$officer</c> is true.</summary>
    const string Feature = """
        json_build_object(
          'type', 'Feature', 'id', p.id,
          'geometry', ST_AsGeoJSON(p.geom, 7)::json,
          'properties', json_strip_nulls(json_build_object(
            'id', p.id, 'sheet_no', p.sheet_no, 'parcel_no', p.parcel_no, 'land_use', p.land_use,
            'land_use_name', land_use_name(p.land_use),
            'land_use_source', p.land_use_source,
            'legal_area_m2', p.legal_area_m2, 'declared_area_m2', p.declared_area_m2, 'address', p.address, 'crs', 'EPSG:' || p.source_srid,
            'owner_name', CASE WHEN @officer THEN p.owner_name END,
            'owner_id', CASE WHEN @officer THEN p.owner_id END,
            'certificate_no', CASE WHEN @officer THEN p.certificate_no END)))
        """;

    /// <summary>
    /// A page of matches (@offset, @limit) as a FeatureCollection that says how many match in all
    /// (numberMatched, as OGC API Features does), so a list can offer the rest. The count comes with the
    /// page (a window over the matches); a page past the end counts them on its own.
    /// </summary>
    static string Collection(string where) => $"""
        WITH page AS (
          SELECT {Feature} AS feature, p.sheet_no, p.parcel_no, p.id, count(*) OVER () AS matched
          FROM parcels p WHERE {where} ORDER BY p.sheet_no, p.parcel_no, p.id OFFSET @offset LIMIT @limit)
        SELECT json_build_object('type', 'FeatureCollection',
          'numberMatched', COALESCE((SELECT max(matched) FROM page), (SELECT count(*) FROM parcels p WHERE {where})),
          'numberReturned', (SELECT count(*) FROM page),
          'features', COALESCE((SELECT json_agg(feature ORDER BY sheet_no, parcel_no, id) FROM page), '[]'::json))::text
        """;

    public static readonly string BySheetAndNumber = Collection("p.sheet_no = @sheet AND (@no::int IS NULL OR p.parcel_no = @no)");
    // A query typed without diacritics (@plain) matches with or without them ("nguyen" finds Nguyễn, Nguyên);
    // one typed with them matches them exactly ("Nguyễn" does not find Nguyên): TextSearch.
    public static readonly string ByAddress = Collection(TextSearch.Contains("p.address"));
    public static readonly string ByOwner = Collection(TextSearch.Contains("p.owner_name"));
    public static readonly string ById = $"SELECT {Feature}::text FROM parcels p WHERE p.id = @id";

    /// <summary>
    /// When a parcel number is no longer on the map, the import that took it away (merged, taken for a road): the
    /// last change recorded for that number, if it was its removal (layer_changes).
    /// </summary>
    public const string Removed = """
        SELECT json_build_object('at', r.finished_at, 'file', r.file, 'run_id', r.id)::text
        FROM (SELECT run_id, change FROM layer_changes WHERE layer = 'parcels' AND natural_key = @key ORDER BY run_id DESC LIMIT 1) c
        JOIN import_runs r ON r.id = c.run_id
        WHERE c.change = 'removed'
        """;

    /// <summary>The parcel under a point; else the nearest within @radius metres (a point on a road), saying how far.</summary>
    public const string At = $"""
        WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(@lon, @lat), 4326) AS g),
        hit AS (
          SELECT p.id, 0::float8 AS distance_m FROM parcels p, pt WHERE ST_Intersects(p.geom, pt.g)
          UNION ALL
          SELECT n.id, n.distance_m FROM (
            SELECT p.id, ST_Distance(p.geom::geography, pt.g::geography) AS distance_m
            FROM parcels p, pt WHERE ST_DWithin(p.geom, pt.g, @radius / 111320.0)
            ORDER BY p.geom <-> pt.g LIMIT 1) n
          WHERE n.distance_m <= @radius
          ORDER BY distance_m LIMIT 1)
        SELECT jsonb_set(f.feature, ARRAY['properties'], (f.feature -> 'properties') || jsonb_build_object(
                 'match', CASE WHEN hit.distance_m = 0 THEN 'inside' ELSE 'nearest' END, 'distance_m', round(hit.distance_m::numeric, 2)))::text
        FROM hit JOIN parcels p ON p.id = hit.id, LATERAL (SELECT {Feature}::jsonb AS feature) f
        """;

    /// <summary>Parcels sharing a boundary (not just a corner) with the shared length in metres.</summary>
    public const string Neighbors = $"""
        SELECT json_build_object('type', 'FeatureCollection', 'parcel_id', @id, 'features', COALESCE(json_agg(x.f ORDER BY x.len DESC), '[]'::json))::text
        FROM (
          SELECT jsonb_set({Feature}::jsonb, ARRAY['properties', 'shared_length_m'], to_jsonb(round(n.len::numeric, 2))) AS f, n.len
          FROM (
            SELECT o.id, ST_Length(ST_Transform(ST_Intersection(ST_Boundary(me.geom), ST_Boundary(o.geom)), me.source_srid)) AS len
            FROM parcels me JOIN parcels o ON o.id <> me.id AND o.geom && ST_Expand(me.geom, 0.000002) AND ST_Intersects(o.geom, me.geom)
            WHERE me.id = @id) n
          JOIN parcels p ON p.id = n.id
          WHERE n.len > 0.01) x
        """;

    /// <summary>
    /// Zones the parcel lies in (area and share) and the red lines over it, measured in the parcel's TM-3 plane as the
    /// permit check measures them: the plan's long edges are straight there, and would bow centimetres off in lon/lat
    /// (hence the candidates within ~1 m in lon/lat, not only those that intersect there).
    /// </summary>
    public const string Planning = """
        WITH me AS (SELECT id, geom, source_srid, g, ST_Area(g) AS area FROM (SELECT *, ST_Transform(geom, source_srid) AS g FROM parcels WHERE id = @id) p)
        SELECT json_build_object(
          'parcel_id', me.id, 'parcel_area_m2', round(me.area::numeric, 1), 'crs', 'EPSG:' || me.source_srid,
          'zones', COALESCE((SELECT json_agg(z ORDER BY z.area_m2 DESC) FROM (
              SELECT zn.id, zn.zone_code, zn.name, zn.planned_use, land_use_name(zn.planned_use) AS planned_use_name, zn.max_density_pct, zn.max_floors, zn.max_height_m, zn.far, zn.setback_m, zn.plan_ref,
                     round(a.m2::numeric, 1) AS area_m2, round((100 * a.m2 / NULLIF(me.area, 0))::numeric, 1) AS share_pct
              FROM zones zn, LATERAL (SELECT ST_Area(ST_Intersection(ST_Transform(zn.geom, me.source_srid), me.g)) AS m2) a
              WHERE ST_DWithin(zn.geom, me.geom, 0.00001)) z WHERE z.area_m2 > 0), '[]'::json),
          -- a red line that reaches no deeper than @red_tol into the parcel lies on its edge: the plan files' coordinates
          -- are rounded to about that (the permit rules' red_line_tolerance_m, 1 cm)
          'red_lines', COALESCE((SELECT json_agg(r ORDER BY r.area_m2 DESC) FROM (
              SELECT rl.id, rl.code, rl.kind, rl.name, rl.width_m, rl.plan_ref, round(ST_Area(ST_Intersection(x.g, me.g))::numeric, 1) AS area_m2
              FROM red_lines rl, LATERAL (SELECT ST_Transform(rl.geom, me.source_srid) AS g) x
              WHERE ST_DWithin(rl.geom, me.geom, 0.00001) AND ST_Intersects(ST_Buffer(x.g, -@red_tol), me.g)) r WHERE r.area_m2 > 0), '[]'::json)
        )::text
        FROM me
        """;

    /// <summary>
    /// What imports changed in this parcel, newest first (layer_changes, by its number: the history follows the
    /// parcel across re-imports), with each run's time, file and who ran it; since: when the parcels were first loaded,
    /// which is where the history starts. Owners' names and IDs among the values: officers only.
    /// </summary>
    public const string History = """
        SELECT json_build_object(
          'parcel_id', p.id,
          'since', (SELECT min(finished_at) FROM import_runs WHERE layer = 'parcels' AND status = 'succeeded'),
          'changes', COALESCE((SELECT json_agg(json_build_object(
              'run_id', c.run_id, 'at', r.finished_at, 'file', r.file, 'who', r.who, 'mode', r.mode,
              'change', c.change, 'fields', c.fields, 'before', c.before, 'after', c.after) ORDER BY c.run_id DESC)
            FROM layer_changes c JOIN import_runs r ON r.id = c.run_id
            WHERE c.layer = 'parcels' AND c.natural_key = p.sheet_no || '/' || p.parcel_no), '[]'::json)
        )::text
        FROM parcels p WHERE p.id = @id
        """;
}
