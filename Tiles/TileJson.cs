using Npgsql;

namespace WardMap.Tiles;

/// <summary>The ward's extent and a sensible centre, for TileJSON and styles.</summary>
public sealed record WardExtent(double West, double South, double East, double North)
{
    public static readonly WardExtent World = new(-180, -85.0511, 180, 85.0511);
    public double[] Center(int zoom) => [Math.Round((West + East) / 2, 6), Math.Round((South + North) / 2, 6), zoom];

    /// <summary>How many tiles at zoom z cover the extent and <paramref name="margin"/> tiles around it (counted, not listed: the world has billions).</summary>
    public long TileCount(int z, int margin = 0)
    {
        var (x0, y0, x1, y1) = TileRange(z, margin);
        return (long)(x1 - x0 + 1) * (y1 - y0 + 1);
    }

    /// <summary>The web-mercator tiles at zoom z that cover the extent and <paramref name="margin"/> tiles around it, west to east, north to south.</summary>
    public IEnumerable<(int Z, int X, int Y)> Tiles(int z, int margin = 0)
    {
        var (x0, y0, x1, y1) = TileRange(z, margin);
        for (int x = x0; x <= x1; x++)
            for (int y = y0; y <= y1; y++) yield return (z, x, y);
    }

    (int X0, int Y0, int X1, int Y1) TileRange(int z, int margin)
    {
        var (x0, y0) = TileOf(West, North, z);
        var (x1, y1) = TileOf(East, South, z);
        int last = (1 << z) - 1;
        return (Math.Max(0, x0 - margin), Math.Max(0, y0 - margin), Math.Min(last, x1 + margin), Math.Min(last, y1 + margin));
    }

    /// <summary>The tile at zoom z that holds a lon/lat point (the XYZ scheme MapLibre and OSM use).</summary>
    public static (int X, int Y) TileOf(double lon, double lat, int z)
    {
        var n = 1 << z;
        var rad = Math.Clamp(lat, World.South, World.North) * Math.PI / 180;
        int Clamp(double v) => Math.Clamp((int)v, 0, n - 1);
        return (Clamp((lon + 180) / 360 * n), Clamp((1 - Math.Log(Math.Tan(rad) + 1 / Math.Cos(rad)) / Math.PI) / 2 * n));
    }

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
    /// The deepest zoom clients are told to ask for. A z19 tile quantises to 1.7 cm on the ground here (its 4096
    /// units over ~71 m at 21° N), one screen pixel at z22, so MapLibre, QGIS and Mapsui draw z20-z22
    /// from the z19 tiles they already hold (overzoom) instead of fetching and building a new set per zoom.
    /// The server still answers deeper tiles for clients that ignore maxzoom.
    /// </summary>
    public const int DetailZoom = 19;

    /// <summary>
    /// A MapLibre vector source with the TileJSON fields inline (tiles, zooms, bounds): a style that carries
    /// them saves the viewer one round trip before its first tile. The TileJSON document below is built on it.
    /// The attribution is the ward's own words, or their English for a map that speaks English.
    /// </summary>
    public static Dictionary<string, object> Source(IReadOnlyList<TileLayer> layers, string baseUrl, WardExtent extent, bool english = false) => new()
    {
        ["type"] = "vector",
        ["tiles"] = new[] { $"{baseUrl}/tiles/{string.Join(",", layers.Select(l => l.Name))}/{{z}}/{{x}}/{{y}}.mvt" },
        ["minzoom"] = layers.Min(l => l.MinZoom),
        ["maxzoom"] = Math.Min(layers.Max(l => l.MaxZoom), DetailZoom),
        ["bounds"] = new[] { extent.West, extent.South, extent.East, extent.North },
        ["attribution"] = english ? "WardMap — ward data" : "WardMap — dữ liệu phường",
    };

    public static object For(IReadOnlyList<TileLayer> layers, string baseUrl, WardExtent extent, bool officer, bool english = false)
    {
        var doc = new Dictionary<string, object?>
        {
            ["tilejson"] = "3.0.0",
            ["name"] = $"WardMap: {string.Join(",", layers.Select(l => l.Name))}",
            ["description"] = string.Join("; ", layers.Select(l => l.Description)),
            ["version"] = "1.0.0",
            ["scheme"] = "xyz",
        };
        var source = Source(layers, baseUrl, extent, english);
        foreach (var (key, value) in source) if (key != "type") doc[key] = value;   // tiles, zooms, bounds, attribution
        doc["center"] = extent.Center(Math.Clamp(15, (int)source["minzoom"], (int)source["maxzoom"]));
        doc["vector_layers"] = layers.Select(l => new Dictionary<string, object?>
        {
            ["id"] = l.Name,
            ["description"] = l.Description,
            ["minzoom"] = l.MinZoom,
            ["maxzoom"] = Math.Min(l.MaxZoom, DetailZoom),
            ["fields"] = l.Fields.Where(f => officer || !f.PersonalData)
                .ToDictionary(f => f.Name, f => $"{f.Type}: {f.Description}" + (f.MinZoom > l.MinZoom ? $" (from z{f.MinZoom})" : "")),
        }).ToArray();
        return doc;
    }
}
