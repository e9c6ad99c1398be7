namespace WardMap.GisServer.Queries;

/// <summary>
/// Places found by name, for the search box beside parcels: roads (a street's segments as one feature), residential
/// groups and assets (by name or code: a school, "CAM-012"). Public layers only. Matched as the address search
/// matches: typed without diacritics, with or without them ("ngo quyen" finds Ngô Quyền); typed with them, exactly.
/// </summary>
public static class PlaceQueries
{
    /// <summary>
    /// Roads first, then groups, then assets; roads and groups whose name starts with the text before those that only
    /// contain it, shorter (closer) names first. An asset named after a road found ("Đèn Đường Ngô Quyền #463") is
    /// that road's: the road stands for it. Of the other assets, a code typed whole comes first, then codes that start
    /// with the text in their order, then names; at most @assets are listed.
    /// </summary>
    public static readonly string ByName = $"""
        WITH roads_found AS (
          SELECT r.name, ST_Union(r.geom) AS geom FROM roads r WHERE {TextSearch.Contains("r.name")} GROUP BY r.name),
        found AS (
          SELECT 1 AS rank, row_number() OVER (ORDER BY {TextSearch.StartsWith("name")} DESC, length(name), name) AS ord,
                 'road' AS kind, name, NULL::text AS code, NULL::text AS asset_kind, NULL::int AS population, geom
          FROM roads_found
          UNION ALL
          SELECT 2, row_number() OVER (ORDER BY {TextSearch.StartsWith("g.name")} DESC, length(g.name), g.code), 'group', g.name, g.code, NULL, g.population, g.geom
          FROM residential_groups g WHERE {TextSearch.Contains("g.name")} OR g.code ILIKE @q
          UNION ALL
          (SELECT 3, row_number() OVER (ORDER BY a.code ILIKE @q DESC, CASE WHEN a.code ILIKE @q || '%' THEN a.code END, length(a.name), a.name) AS ord,
                  'asset', COALESCE(a.name, a.code), a.code, a.kind, NULL, a.geom
           FROM assets a
           WHERE ({TextSearch.Contains("a.name")} OR a.code ILIKE @q || '%')
             AND NOT EXISTS (SELECT 1 FROM roads_found r WHERE strpos(a.name, r.name) > 0)
           ORDER BY ord LIMIT @assets))
        SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
                 'type', 'Feature', 'id', kind || ':' || COALESCE(code, name),
                 'geometry', ST_AsGeoJSON(geom, 7)::json,
                 'properties', json_strip_nulls(json_build_object('kind', kind, 'name', name, 'code', code,
                   'asset_kind', asset_kind, 'population', population)))
               ORDER BY rank, ord), '[]'::json))::text
        FROM (SELECT * FROM found ORDER BY rank, ord LIMIT @limit) page
        """;
}
