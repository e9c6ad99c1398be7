using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using WardMap.Importers.Crs;
using WardMap.TestSupport;

namespace WardMap.Importers.Tests;

/// <summary>Small source files written per test, placed inside the committed small sample ward.</summary>
public sealed class TestFiles : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("wardmap-test-").FullName;

    /// <summary>The sample-small ward's centre in EPSG:9210 metres: tests place parcels relative to it.</summary>
    public static (double E, double N) WardCentre9210 { get; } = FindCentre();

    static (double, double) FindCentre()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo.SampleSmall("ward_boundary.geojson")));
        var ring = doc.RootElement.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates")[0];
        if (ring[0].ValueKind == JsonValueKind.Array && ring[0][0].ValueKind == JsonValueKind.Array) ring = ring[0];   // MultiPolygon
        double lon = ring.EnumerateArray().Average(p => p[0].GetDouble()), lat = ring.EnumerateArray().Average(p => p[1].GetDouble());
        return CrsRegistry.FromEpsg(9210).FromWgs84(lon, lat);
    }

    /// <summary>A square parcel of side <paramref name="size"/> m, offset (dx, dy) m from the ward centre, in EPSG:9210.</summary>
    public static Polygon Square(double dx, double dy, double size = 10)
    {
        var (e, n) = WardCentre9210;
        double x = Math.Round(e + dx, 3), y = Math.Round(n + dy, 3);
        return new GeometryFactory().CreatePolygon([new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size), new(x, y)]);
    }

    public static Geometry ToWgs84(Geometry g) => CrsRegistry.FromEpsg(9210).ToWgs84(g.Copy());

    /// <summary>A GeoJSON FeatureCollection; with srid, a legacy "crs" member names it.</summary>
    public string GeoJson(string name, IEnumerable<(Geometry? Geometry, object Properties)> features, int? srid = null)
    {
        var options = new JsonSerializerOptions { Converters = { new NetTopologySuite.IO.Converters.GeoJsonConverterFactory() } };
        var sb = new StringBuilder("{\"type\":\"FeatureCollection\",");
        if (srid is not null) sb.Append($"\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::{srid}\"}}}},");
        sb.Append("\"features\":[");
        sb.Append(string.Join(",", features.Select(f =>
            $"{{\"type\":\"Feature\",\"properties\":{JsonSerializer.Serialize(f.Properties)},\"geometry\":{(f.Geometry is null ? "null" : JsonSerializer.Serialize(f.Geometry, options))}}}")));
        sb.Append("]}");
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public string Text(string name, string content)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    public void Dispose() { try { Directory.Delete(Dir, true); } catch { } }
}
