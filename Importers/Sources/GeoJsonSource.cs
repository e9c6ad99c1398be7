using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using WardMap.Importers.Crs;

namespace WardMap.Importers.Sources;

/// <summary>
/// A GeoJSON FeatureCollection (RFC 7946 lon/lat, or a legacy "crs" member naming an EPSG code).
/// The document is parsed once; features are turned into geometries one at a time.
/// </summary>
public sealed class GeoJsonSource : FeatureSource
{
    static readonly JsonSerializerOptions Options = new() { Converters = { new GeoJsonConverterFactory() } };
    readonly JsonDocument _doc;
    readonly JsonElement _features;
    readonly string[] _fields;

    public GeoJsonSource(string path) : base(path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            _doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var detail = e.Message.Split('.')[0];
            throw new ImportException(path, null, null, new($"not valid JSON (line {e.LineNumber + 1}): {detail}", $"JSON không hợp lệ (dòng {e.LineNumber + 1}): {detail}"));
        }
        var root = _doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection"
            || !root.TryGetProperty("features", out _features) || _features.ValueKind != JsonValueKind.Array)
            throw new ImportException(path, null, null, new("not a GeoJSON FeatureCollection (no \"type\": \"FeatureCollection\" with a \"features\" array)",
                "không phải GeoJSON FeatureCollection (thiếu \"type\": \"FeatureCollection\" cùng mảng \"features\")"));

        if (root.TryGetProperty("crs", out var crs) && crs.TryGetProperty("properties", out var props) && props.TryGetProperty("name", out var name))
        {
            try { DeclaredCrs = CrsRegistry.FromEpsg(CrsRegistry.ParseSrid(name.GetString() ?? "")); }
            catch (CrsException e) { throw new ImportException(path, null, null, e.Said.After("its crs member: ", "mục crs của tệp: ")); }
        }
        // The union of property names, in first-seen order.
        var seen = new List<string>();
        var set = new HashSet<string>();
        foreach (var f in _features.EnumerateArray())
            if (f.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                foreach (var prop in p.EnumerateObject())
                    if (set.Add(prop.Name)) seen.Add(prop.Name);
        _fields = seen.ToArray();
    }

    public override IReadOnlyList<string> FieldNames => _fields;
    public override long? Count => _features.GetArrayLength();

    public override IEnumerable<SourceRecord> Read()
    {
        var index = _fields.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        long row = 0;
        foreach (var f in _features.EnumerateArray())
        {
            row++;
            var values = new object?[_fields.Length];
            if (f.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                foreach (var prop in p.EnumerateObject())
                    values[index[prop.Name]] = prop.Value.ValueKind switch
                    {
                        JsonValueKind.String => Text.Nfc.Of(prop.Value.GetString()!).Trim(),
                        JsonValueKind.Number => prop.Value.TryGetInt64(out var l) ? l : prop.Value.GetDouble(),
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null or JsonValueKind.Undefined => null,
                        _ => prop.Value.GetRawText(),
                    };
            Geometry? g = null; Said? error = null;
            if (!f.TryGetProperty("geometry", out var ge) || ge.ValueKind == JsonValueKind.Null) error = SourceRecord.EmptyGeometry;
            else
            {
                try { g = ge.Deserialize<Geometry>(Options); if (g is null || g.IsEmpty) { g = null; error = SourceRecord.EmptyGeometry; } }
                catch (Exception e) { error = SourceRecord.Unreadable(e.Message.Split('\n')[0]); }
            }
            yield return new SourceRecord(row, g, values, error);
        }
    }

    public override void Dispose() => _doc.Dispose();
}
