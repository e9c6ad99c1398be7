using NetTopologySuite.Geometries;
using WardMap.Importers.Crs;

namespace WardMap.Importers.Sources;

/// <summary>
/// One row of a source file: its 1-based number, geometry (or why it has none) and field values, or why the
/// row as a whole could not be read (RowError: it is rejected with that reason).
/// </summary>
public sealed record SourceRecord(long Row, Geometry? Geometry, object?[] Values, Said? GeometryError = null, Said? RowError = null)
{
    public static readonly Said EmptyGeometry = new("empty geometry", "hình học trống");

    /// <summary>A geometry the reader could not decode, with the library's own words after it.</summary>
    public static Said Unreadable(string detail) => new($"unreadable geometry ({detail})", $"không đọc được hình học ({detail})");
}

/// <summary>A file opened for reading, forward only, one row at a time (memory stays flat in file size).</summary>
public abstract class FeatureSource : IDisposable
{
    protected FeatureSource(string path) => Path = path;

    public string Path { get; }
    /// <summary>Field names in the order of <see cref="SourceRecord.Values"/>.</summary>
    public abstract IReadOnlyList<string> FieldNames { get; }
    /// <summary>The CRS the file declares (.prj, GeoPackage srs, GeoJSON crs), or null when it declares none.</summary>
    public SourceCrs? DeclaredCrs { get; protected set; }
    /// <summary>What the reader decided on the way (encoding detected, axis order) for the import report.</summary>
    public List<Said> Notes { get; } = new();
    /// <summary>Number of rows when the format knows it up front (for the progress bar).</summary>
    public virtual long? Count => null;

    public abstract IEnumerable<SourceRecord> Read();

    public virtual void Dispose() { }

    /// <summary>Opens a file by its extension (.shp, .gpkg, .geojson/.json, .csv).</summary>
    public static FeatureSource Open(string path, SourceOptions options)
    {
        if (!File.Exists(path)) throw new ImportException(path, null, null, new("the file does not exist", "không có tệp này"));
        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".shp" => new ShapefileSource(path, options),
            ".gpkg" => new GeoPackageSource(path, options),
            ".geojson" or ".json" => new GeoJsonSource(path),
            ".csv" or ".txt" => new CsvSource(path, options),
            var ext => throw new ImportException(path, null, null, new(
                $"'{ext}' is not a format WardMap imports: use Shapefile (.shp), GeoPackage (.gpkg), GeoJSON (.geojson) or CSV (.csv)",
                $"WardMap không nhập được tệp '{ext}': hãy dùng Shapefile (.shp), GeoPackage (.gpkg), GeoJSON (.geojson) hoặc CSV (.csv)")),
        };
    }
}

public sealed record SourceOptions(string? Encoding = null, string? Layer = null);
