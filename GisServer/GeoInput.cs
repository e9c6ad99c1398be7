using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Valid;

namespace WardMap.GisServer;

/// <summary>GeoJSON geometry from a request, checked so that bad input gets a sentence, not a stack trace.</summary>
public static class GeoInput
{
    static readonly JsonSerializerOptions Options = new() { Converters = { new GeoJsonConverterFactory() } };
    public const int MaxVertices = 10_000;

    /// <summary>A Polygon or MultiPolygon (bare or in a Feature) in lon/lat; the error names what is wrong.</summary>
    public static (Geometry? Polygon, string? Error) Polygon(JsonElement json, string field = "geometry", bool lonLat = true)
    {
        if (json.ValueKind != JsonValueKind.Object) return (null, $"{field} must be a GeoJSON object");
        if (json.TryGetProperty("type", out var t) && t.GetString() == "Feature")
        {
            if (!json.TryGetProperty("geometry", out json) || json.ValueKind != JsonValueKind.Object) return (null, $"{field}: the Feature has no geometry");
        }
        Geometry? g;
        try { g = json.Deserialize<Geometry>(Options); }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return (null, $"{field} is not valid GeoJSON: {e.Message.Split('\n')[0]}");
        }
        if (g is not (NetTopologySuite.Geometries.Polygon or MultiPolygon)) return (null, $"{field} must be a Polygon or MultiPolygon, not {g?.GeometryType ?? "nothing"}");
        if (g.IsEmpty) return (null, $"{field} is empty");
        if (g.NumPoints > MaxVertices) return (null, $"{field} has {g.NumPoints} vertices; at most {MaxVertices}");
        foreach (var c in g.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y)) return (null, $"{field} has a coordinate that is not a number");
            if (lonLat && (c.X is < -180 or > 180 || c.Y is < -90 or > 90))
                return (null, $"{field} has ({c.X}, {c.Y}), outside longitude/latitude ranges; coordinates are lon, lat in WGS 84");
        }
        var why = new IsValidOp(g).ValidationError;
        if (why is not null) return (null, $"{field} is not a valid polygon: {why.Message} at ({why.Coordinate?.X:0.#######}, {why.Coordinate?.Y:0.#######})");
        g.SRID = lonLat ? 4326 : 0;
        return (g, null);
    }

    /// <summary>Reads the request body as JSON, or says why it cannot.</summary>
    public static async Task<(JsonElement Body, string? Error)> BodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > 4_000_000) return (default, "the body is larger than 4 MB");
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            return (doc.RootElement.Clone(), null);
        }
        catch (JsonException e) { return (default, $"the body is not valid JSON: {e.Message.Split('.')[0]}"); }
    }
}
