using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Valid;

namespace WardMap.GisServer;

/// <summary>GeoJSON geometry from a request, checked so that bad input gets a sentence, not a stack trace.</summary>
public static class GeoInput
{
    public static readonly JsonSerializerOptions Options = new() { Converters = { new GeoJsonConverterFactory() } };
    public const int MaxVertices = 10_000;
    public static readonly Said NotAnObject = new("the body must be a JSON object", "nội dung gửi lên phải là một đối tượng JSON");

    /// <summary>A Polygon or MultiPolygon (bare or in a Feature) in lon/lat; the error names what is wrong.</summary>
    public static (Geometry? Polygon, Said? Error) Polygon(JsonElement json, string field = "geometry", bool lonLat = true)
    {
        var vi = field == "footprint" ? "mặt bằng công trình (footprint)" : $"vùng ({field})";
        if (json.ValueKind != JsonValueKind.Object) return (null, new($"{field} must be a GeoJSON object", $"{vi} phải là một đối tượng GeoJSON"));
        if (json.TryGetProperty("type", out var t) && t.GetString() == "Feature")
        {
            if (!json.TryGetProperty("geometry", out json) || json.ValueKind != JsonValueKind.Object)
                return (null, new($"{field}: the Feature has no geometry", $"{vi}: Feature không có hình học"));
        }
        Geometry? g;
        try { g = json.Deserialize<Geometry>(Options); }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            var parser = e.Message.Split('\n')[0];
            return (null, new($"{field} is not valid GeoJSON: {parser}", $"{vi} không phải GeoJSON hợp lệ: {parser}"));
        }
        var error = Check(g, field, lonLat);
        if (error is not null) return (null, error);
        g!.SRID = lonLat ? 4326 : 0;
        return (g, null);
    }

    /// <summary>Why a geometry is not a polygon the queries can take (in lon/lat when lonLat), or null.</summary>
    public static Said? Check(Geometry? g, string field = "geometry", bool lonLat = true)
    {
        var vi = field == "footprint" ? "mặt bằng công trình (footprint)" : $"vùng ({field})";
        if (g is not (NetTopologySuite.Geometries.Polygon or MultiPolygon))
            return new($"{field} must be a Polygon or MultiPolygon, not {g?.GeometryType ?? "nothing"}", $"{vi} phải là Polygon hoặc MultiPolygon, không phải {g?.GeometryType ?? "rỗng"}");
        if (g.IsEmpty) return new($"{field} is empty", $"{vi} rỗng");
        if (g.NumPoints > MaxVertices) return new($"{field} has {g.NumPoints} vertices; at most {MaxVertices}", $"{vi} có {g.NumPoints} đỉnh; tối đa {MaxVertices}");
        foreach (var c in g.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y)) return new($"{field} has a coordinate that is not a number", $"{vi} có tọa độ không phải là số");
            if (lonLat && (c.X is < -180 or > 180 || c.Y is < -90 or > 90))
                return new($"{field} has ({c.X}, {c.Y}), outside longitude/latitude ranges; coordinates are lon, lat in WGS 84",
                    $"{vi} có điểm ({c.X}, {c.Y}) ngoài phạm vi kinh độ/vĩ độ; tọa độ là kinh độ, vĩ độ WGS 84");
        }
        var why = new IsValidOp(g).ValidationError;
        if (why is not null)
        {
            var at = $"({why.Coordinate?.X:0.#######}, {why.Coordinate?.Y:0.#######})";
            return new($"{field} is not a valid polygon: {why.Message} at {at}", $"{vi} không phải đa giác hợp lệ: {InVietnamese(why)} tại {at}");
        }
        return null;
    }

    /// <summary>What OGC simple-features validity found wrong, as a land officer would say it.</summary>
    static string InVietnamese(TopologyValidationError why) => why.ErrorType switch
    {
        TopologyValidationErrors.SelfIntersection => "các cạnh cắt nhau",
        TopologyValidationErrors.RingSelfIntersection => "đường bao tự cắt chính nó",
        TopologyValidationErrors.TooFewPoints => "quá ít đỉnh",
        TopologyValidationErrors.RingNotClosed => "đường bao không khép kín",
        TopologyValidationErrors.HoleOutsideShell => "có lỗ nằm ngoài đường bao",
        TopologyValidationErrors.NestedHoles => "có lỗ nằm trong lỗ khác",
        TopologyValidationErrors.DisconnectedInteriors => "phần bên trong bị chia cắt",
        TopologyValidationErrors.NestedShells => "có đường bao nằm trong đường bao khác",
        TopologyValidationErrors.DuplicateRings => "có hai đường bao trùng nhau",
        TopologyValidationErrors.InvalidCoordinate => "có tọa độ không hợp lệ",
        _ => why.Message,
    };

    /// <summary>Reads the request body as JSON, or says why it cannot.</summary>
    public static async Task<(JsonElement Body, Said? Error)> BodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > 4_000_000) return (default, new("the body is larger than 4 MB", "nội dung gửi lên lớn hơn 4 MB"));
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            return (doc.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            var parser = e.Message.Split('.')[0];
            return (default, new($"the body is not valid JSON: {parser}", $"nội dung gửi lên không phải JSON hợp lệ: {parser}"));
        }
    }
}
