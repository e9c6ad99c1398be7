using Microsoft.Data.Sqlite;
using NetTopologySuite.IO;
using WardMap.Importers.Crs;

namespace WardMap.Importers.Sources;

/// <summary>A GeoPackage feature table (the first one, or --layer NAME), read row by row from SQLite.</summary>
public sealed class GeoPackageSource : FeatureSource
{
    readonly SqliteConnection _db;
    readonly string _table, _geomColumn;
    readonly string[] _fields;
    readonly long _count;

    public GeoPackageSource(string path, SourceOptions options) : base(path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        try { _db.Open(); }
        catch (SqliteException e) { throw new ImportException(path, null, null, new($"not a readable GeoPackage: {e.Message}", $"không đọc được GeoPackage: {e.Message}")); }

        var layers = new List<(string Table, string Column, int SrsId)>();
        try
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c
                JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
                WHERE c.data_type = 'features' ORDER BY c.table_name
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read()) layers.Add((r.GetString(0), r.GetString(1), r.GetInt32(2)));
        }
        catch (SqliteException e)
        {
            throw new ImportException(path, null, null, new($"not a GeoPackage (no gpkg_contents): {e.Message}", $"không phải GeoPackage (không có gpkg_contents): {e.Message}"));
        }
        if (layers.Count == 0) throw new ImportException(path, null, null, new("the GeoPackage holds no feature table", "GeoPackage không có bảng đối tượng nào"));
        var tables = string.Join(", ", layers.Select(l => l.Table));
        var chosen = options.Layer is null ? layers[0]
            : layers.FirstOrDefault(l => l.Table.Equals(options.Layer, StringComparison.OrdinalIgnoreCase));
        if (chosen.Table is null)
            throw new ImportException(path, null, null, new($"no feature table '{options.Layer}'; it has: {tables}", $"không có bảng đối tượng '{options.Layer}'; tệp có: {tables}"));
        if (options.Layer is null && layers.Count > 1)
            Notes.Add(new($"read table '{chosen.Table}' of {layers.Count} ({tables}); pass --layer to choose",
                $"đã đọc bảng '{chosen.Table}' trong {layers.Count} bảng ({tables}); chọn bảng khác bằng --layer"));
        (_table, _geomColumn) = (chosen.Table, chosen.Column);
        DeclaredCrs = ReadCrs(chosen.SrsId);

        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = $"SELECT name FROM pragma_table_info({Quote(_table)}) WHERE name <> {Quote(_geomColumn)} ORDER BY cid";
            using var r = cmd.ExecuteReader();
            var names = new List<string>();
            while (r.Read()) names.Add(r.GetString(0));
            _fields = names.ToArray();
        }
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = $"SELECT count(*) FROM \"{_table.Replace("\"", "\"\"")}\"";
            _count = (long)cmd.ExecuteScalar()!;
        }
    }

    static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    SourceCrs? ReadCrs(int srsId)
    {
        if (srsId <= 0) return null; // 0 and -1 are GeoPackage's "undefined" systems
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = $id";
        cmd.Parameters.AddWithValue("$id", srsId);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        var org = r.IsDBNull(0) ? "" : r.GetString(0);
        var definition = r.IsDBNull(2) ? "" : r.GetString(2);
        try
        {
            if (definition.Trim().Length > 0 && definition.Trim() != "undefined") return CrsRegistry.FromWkt(definition);
            if (org.Equals("EPSG", StringComparison.OrdinalIgnoreCase)) return CrsRegistry.FromEpsg(r.GetInt32(1));
        }
        catch (CrsException e) { throw new ImportException(Path, null, null, e.Said); }
        return null;
    }

    public override IReadOnlyList<string> FieldNames => _fields;
    public override long? Count => _count;

    public override IEnumerable<SourceRecord> Read()
    {
        using var cmd = _db.CreateCommand();
        var cols = string.Join(", ", _fields.Select(f => $"\"{f.Replace("\"", "\"\"")}\""));
        cmd.CommandText = $"SELECT \"{_geomColumn.Replace("\"", "\"\"")}\"{(cols.Length > 0 ? ", " + cols : "")} FROM \"{_table.Replace("\"", "\"\"")}\"";
        using var r = cmd.ExecuteReader();
        var geo = new GeoPackageGeoReader();
        long row = 0;
        while (r.Read())
        {
            row++;
            var values = new object?[_fields.Length];
            for (int i = 0; i < _fields.Length; i++)
                { var v = r.GetValue(i + 1); values[i] = v is DBNull ? null : v is string s ? Text.Nfc.Of(s).Trim() : v; }
            if (r.IsDBNull(0)) { yield return new SourceRecord(row, null, values, SourceRecord.EmptyGeometry); continue; }
            NetTopologySuite.Geometries.Geometry? g = null; Said? error = null;
            try { g = geo.Read((byte[])r.GetValue(0)); if (g.IsEmpty) { g = null; error = SourceRecord.EmptyGeometry; } }
            catch (Exception e) { error = SourceRecord.Unreadable(e.Message); }
            yield return new SourceRecord(row, g, values, error);
        }
    }

    public override void Dispose() => _db.Dispose();
}
