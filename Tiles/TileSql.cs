using System.Collections.Concurrent;
using System.Globalization;

namespace WardMap.Tiles;

/// <summary>
/// The one SQL statement that builds a tile: per layer, the rows whose bounding box meets the tile (GiST),
/// clipped and quantised by ST_AsMVTGeom (extent 4096, buffer 64), encoded by ST_AsMVT with the row id as
/// feature id, and the layers' bytes concatenated (one MVT layer per catalogue layer). Parameters are
/// z, x, y; the text depends only on the layers, the zoom and the variant, so it is built once and cached.
/// </summary>
public static class TileSql
{
    public const int Extent = 4096, Buffer = 64;
    const double WebMercatorWidth = 40075016.685578488;

    static readonly ConcurrentDictionary<(string Layers, int Z, bool Officer), string> Cache = new();

    public static string For(IReadOnlyList<TileLayer> layers, int z, bool officer) =>
        Cache.GetOrAdd((string.Join(",", layers.Select(l => l.Name)), z, officer), _ => Build(layers, z, officer));

    static string Build(IReadOnlyList<TileLayer> layers, int z, bool officer)
    {
        var parts = layers.Where(l => z >= l.MinZoom && z <= l.MaxZoom).Select(l => LayerSql(l, z, officer)).ToList();
        if (parts.Count == 0) return "SELECT ''::bytea";
        return $"""
            WITH b AS (
              SELECT ST_TileEnvelope($1, $2, $3) AS env,
                     ST_Transform(ST_TileEnvelope($1, $2, $3, margin => {Num((double)Buffer / Extent)}), 4326) AS q
            )
            SELECT {string.Join("\n     || ", parts)}
            """;
    }

    /// <summary>Attributes the layer carries at zoom z for this variant (public never gets personal data).</summary>
    public static IEnumerable<TileField> FieldsAt(TileLayer layer, int z, bool officer) =>
        layer.Fields.Where(f => z >= f.MinZoom && (officer || !f.PersonalData));

    static string LayerSql(TileLayer l, int z, bool officer)
    {
        var pixel = WebMercatorWidth / (Extent * Math.Pow(2, z));   // metres per tile pixel at z
        var geom = l.LabelPoints ? $"ST_Transform(ST_PointOnSurface(t.{l.GeometryColumn}), 3857)" : $"ST_Transform(t.{l.GeometryColumn}, 3857)";
        if (z < l.SimplifyBelow) geom = $"ST_Simplify({geom}, {Num(pixel)})";
        var mvtGeom = $"ST_AsMVTGeom({geom}, b.env, {Extent}, {Buffer}, true)";
        var fields = FieldsAt(l, z, officer).Select(f => $"{f.Expression} AS {f.Name}");
        var where = new List<string> { $"t.{l.GeometryColumn} && b.q" };
        if (l.Where is not null) where.Add(l.Where);
        if (l.LowZoomWhere is not null && z < l.LowZoomBelow) where.Add(l.LowZoomWhere);
        var rows = $"SELECT t.id, {string.Join(", ", fields.Prepend(mvtGeom + " AS geom"))} FROM {l.Table} t, b WHERE {string.Join(" AND ", where)}";
        // Thinning: at low zoom keep one point per 8x8-pixel cell (lines and polygons pass untouched).
        var source = z < l.ThinPointsBelow
            ? $"SELECT DISTINCT ON (CASE WHEN GeometryType(r.geom) = 'POINT' THEN ST_AsBinary(ST_SnapToGrid(r.geom, 8)) ELSE r.id::text::bytea END) r.* FROM ({rows}) r WHERE r.geom IS NOT NULL"
            : $"SELECT r.* FROM ({rows}) r WHERE r.geom IS NOT NULL";
        return $"COALESCE((SELECT ST_AsMVT(m, '{l.Name}', {Extent}, 'geom', 'id') FROM ({source}) m), ''::bytea)";
    }

    static string Num(double v) => v.ToString("0.########", CultureInfo.InvariantCulture);
}
