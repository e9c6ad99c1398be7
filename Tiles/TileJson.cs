using Npgsql;

namespace WardMap.Tiles;

/// <summary>The ward's extent and a sensible centre, for TileJSON and styles.</summary>
public sealed record WardExtent(double West, double South, double East, double North)
{
    public static readonly WardExtent World = new(-180, -85.0511, 180, 85.0511);
    public double[] Center(int zoom) => [Math.Round((West + East) / 2, 6), Math.Round((South + North) / 2, 6), zoom];

    public static async Task<WardExtent> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        // The ward outline when loaded, else whatever parcels there are, else the world.
        await using var cmd = db.CreateCommand("""
            SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
            FROM (SELECT COALESCE((SELECT ST_Extent(geom) FROM ward_boundary), (SELECT ST_Extent(geom) FROM parcels))::geometry AS e) x
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(0)) return World;
        static double R(double v) => Math.Round(v, 6);
        return new WardExtent(R(r.GetDouble(0)), R(r.GetDouble(1)), R(r.GetDouble(2)), R(r.GetDouble(3)));
    }
}

/// <summary>TileJSON 3.0.0 documents for a set of catalogue layers.</summary>
public static class TileJson
{
    /// <summary>
    /// A MapLibre vector source with the TileJSON fields inline (tiles, zooms, bounds): a style that carries
    /// them saves the viewer one round trip before its first tile. The TileJSON document below is built on it.
    /// </summary>
    public static Dictionary<string, object> Source(IReadOnlyList<TileLayer> layers, string baseUrl, WardExtent extent) => new()
    {
        ["type"] = "vector",
        ["tiles"] = new[] { $"{baseUrl}/tiles/{string.Join(",", layers.Select(l => l.Name))}/{{z}}/{{x}}/{{y}}.mvt" },
        ["minzoom"] = layers.Min(l => l.MinZoom),
        ["maxzoom"] = layers.Max(l => l.MaxZoom),
        ["bounds"] = new[] { extent.West, extent.South, extent.East, extent.North },
        ["attribution"] = "WardMap — dữ liệu phường",
    };

    public static object For(IReadOnlyList<TileLayer> layers, string baseUrl, WardExtent extent, bool officer)
    {
        var doc = new Dictionary<string, object?>
        {
            ["tilejson"] = "3.0.0",
            ["name"] = $"WardMap: {string.Join(",", layers.Select(l => l.Name))}",
            ["description"] = string.Join("; ", layers.Select(l => l.Description)),
            ["version"] = "1.0.0",
            ["scheme"] = "xyz",
        };
        var source = Source(layers, baseUrl, extent);
        foreach (var (key, value) in source) if (key != "type") doc[key] = value;   // tiles, zooms, bounds, attribution
        doc["center"] = extent.Center(Math.Clamp(15, (int)source["minzoom"], (int)source["maxzoom"]));
        doc["vector_layers"] = layers.Select(l => new Dictionary<string, object?>
        {
            ["id"] = l.Name,
            ["description"] = l.Description,
            ["minzoom"] = l.MinZoom,
            ["maxzoom"] = l.MaxZoom,
            ["fields"] = l.Fields.Where(f => officer || !f.PersonalData)
                .ToDictionary(f => f.Name, f => $"{f.Type}: {f.Description}" + (f.MinZoom > l.MinZoom ? $" (from z{f.MinZoom})" : "")),
        }).ToArray();
        return doc;
    }
}
