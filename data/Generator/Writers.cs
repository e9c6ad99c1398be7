using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Writers;
using WardMap.Importers.Text;

namespace WardMap.Generator;

/// <summary>Writes files the way wards receive them: Shapefile, GeoPackage, GeoJSON and CSV.</summary>
public static class Writers
{
    /// <summary>The .prj ESRI tools write for VN-2000 TM-3: datum by name only, no TOWGS84 (vn2000.md).</summary>
    public static string EsriPrj(double centralMeridian) =>
        "PROJCS[\"VN_2000_TM_3\",GEOGCS[\"GCS_VN_2000\",DATUM[\"D_Vietnam_2000\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]]," +
        "PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"]," +
        "PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0]," +
        $"PARAMETER[\"Central_Meridian\",{centralMeridian.ToString(CultureInfo.InvariantCulture)}],PARAMETER[\"Scale_Factor\",0.9999]," +
        "PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";

    /// <summary>EPSG WKT1 as GDAL writes it into a GeoPackage (with the authority code).</summary>
    public static string EpsgWkt(int srid, double centralMeridian) =>
        $"PROJCS[\"VN-2000 / TM-3 {(int)centralMeridian}-{(int)Math.Round((centralMeridian % 1) * 60):00}\",GEOGCS[\"VN-2000\",DATUM[\"Vietnam_2000\"," +
        "SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278]," +
        "AUTHORITY[\"EPSG\",\"6756\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]]," +
        "AUTHORITY[\"EPSG\",\"4756\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0]," +
        $"PARAMETER[\"central_meridian\",{centralMeridian.ToString(CultureInfo.InvariantCulture)}],PARAMETER[\"scale_factor\",0.9999],PARAMETER[\"false_easting\",500000]," +
        $"PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH],AUTHORITY[\"EPSG\",\"{srid}\"]]";

    public sealed record Column(string Name, Type Type, int Length = 50);

    public enum TextEncoding { Utf8, Tcvn3, Vni }

    /// <summary>
    /// A polygon/line/point shapefile. Legacy encodings are written as raw bytes (no .cpg), as old
    /// cadastral software leaves them; UTF-8 gets a .cpg.
    /// </summary>
    public static void Shapefile(string path, string prj, IReadOnlyList<Column> columns, IEnumerable<(Geometry Geometry, object?[] Values)> rows,
        TextEncoding encoding)
    {
        var first = rows.FirstOrDefault();
        var shapeType = first.Geometry switch
        {
            Polygon or MultiPolygon => ShapeType.Polygon,
            LineString or MultiLineString => ShapeType.PolyLine,
            _ => ShapeType.Point,
        };
        var options = new ShapefileWriterOptions(shapeType) { Encoding = encoding == TextEncoding.Utf8 ? Encoding.UTF8 : Encoding.Latin1 };
        foreach (var c in columns)
        {
            if (c.Type == typeof(string)) options.AddCharacterField(c.Name, c.Length);
            else if (c.Type == typeof(int)) options.AddNumericInt32Field(c.Name);
            else options.AddNumericDoubleField(c.Name);
        }
        using (var writer = NetTopologySuite.IO.Esri.Shapefile.OpenWrite(path, options))
        {
            foreach (var (g, values) in rows)
            {
                writer.Geometry = g;
                for (int i = 0; i < columns.Count; i++)
                    writer.Fields[columns[i].Name].Value = values[i] is string s ? encoding switch
                    {
                        TextEncoding.Tcvn3 => Encoding.Latin1.GetString(VietnameseText.EncodeTcvn3(s)),
                        TextEncoding.Vni => Encoding.Latin1.GetString(VietnameseText.EncodeVni(s)),
                        _ => s,
                    } : values[i];
                writer.Write();
            }
        }
        // The DBF header carries the day it was written: a fixed one (1 July 2025, when the merged wards began) keeps the
        // same seed's files the same bytes, so a sample written again is imported again only where it really changed.
        using (var dbf = File.OpenWrite(Path.ChangeExtension(path, ".dbf"))) { dbf.Position = 1; dbf.Write([2025 - 1900, 7, 1]); }
        File.WriteAllText(Path.ChangeExtension(path, ".prj"), prj);
        var cpg = Path.ChangeExtension(path, ".cpg");
        if (encoding == TextEncoding.Utf8) File.WriteAllText(cpg, "UTF-8");
        else if (File.Exists(cpg)) File.Delete(cpg);
    }

    /// <summary>A GeoPackage 1.3 with one feature table (SQLite, geometry blobs by NTS's GeoPackage writer).</summary>
    public static void GeoPackage(string path, string table, int srid, string srsDefinition, string geometryType,
        IReadOnlyList<Column> columns, IEnumerable<(Geometry Geometry, object?[] Values)> rows)
    {
        if (File.Exists(path)) File.Delete(path);
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        void Exec(string sql) { using var c = db.CreateCommand(); c.CommandText = sql; c.ExecuteNonQuery(); }
        Exec("PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;");
        Exec("""
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
              description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL);
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);
            INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', NULL);
            """);
        if (srid != 4326)
            using (var c = db.CreateCommand())
            {
                c.CommandText = "INSERT INTO gpkg_spatial_ref_sys VALUES ($name, $id, 'EPSG', $id, $def, NULL)";
                c.Parameters.AddWithValue("$name", $"EPSG:{srid}");
                c.Parameters.AddWithValue("$id", srid);
                c.Parameters.AddWithValue("$def", srsDefinition);
                c.ExecuteNonQuery();
            }
        var cols = string.Join("", columns.Select(c => $", \"{c.Name}\" {(c.Type == typeof(string) ? "TEXT" : c.Type == typeof(int) ? "INTEGER" : "REAL")}"));
        Exec($"CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometryType}{cols})");
        Exec($"INSERT INTO gpkg_geometry_columns VALUES ('{table}', 'geom', '{geometryType}', {srid}, 0, 0)");

        var env = new Envelope();
        var writer = new GeoPackageGeoWriter { HandleOrdinates = NetTopologySuite.Geometries.Ordinates.XY };
        using (var tx = db.BeginTransaction())
        using (var insert = db.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO \"{table}\" (geom{string.Join("", columns.Select(c => $", \"{c.Name}\""))}) VALUES ($g{string.Join("", columns.Select((_, i) => $", $p{i}"))})";
            var g = insert.Parameters.Add("$g", SqliteType.Blob);
            var ps = columns.Select((_, i) => insert.Parameters.Add($"$p{i}", SqliteType.Text)).ToArray();
            foreach (var (geometry, values) in rows)
            {
                geometry.SRID = srid;
                env.ExpandToInclude(geometry.EnvelopeInternal);
                g.Value = writer.Write(geometry);
                for (int i = 0; i < ps.Length; i++) ps[i].Value = values[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        using (var c = db.CreateCommand())
        {
            c.CommandText = "INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change, min_x, min_y, max_x, max_y, srs_id) VALUES ($t, 'features', $t, '2025-07-01T00:00:00.000Z', $a, $b, $c, $d, $s)";
            c.Parameters.AddWithValue("$t", table);
            c.Parameters.AddWithValue("$a", env.MinX); c.Parameters.AddWithValue("$b", env.MinY);
            c.Parameters.AddWithValue("$c", env.MaxX); c.Parameters.AddWithValue("$d", env.MaxY);
            c.Parameters.AddWithValue("$s", srid);
            c.ExecuteNonQuery();
        }
    }

    static readonly JsonSerializerOptions GeoJson = new()
    {
        Converters = { new GeoJsonConverterFactory() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>An RFC 7946 FeatureCollection (WGS 84 lon/lat).</summary>
    public static void GeoJsonFile(string path, IEnumerable<(Geometry Geometry, Dictionary<string, object?> Properties)> features)
    {
        var fc = new FeatureCollection();
        foreach (var (g, props) in features) fc.Add(new Feature(g, new AttributesTable(props)));
        File.WriteAllText(path, JsonSerializer.Serialize(fc, GeoJson), new UTF8Encoding(false));
    }

    public static void Csv(string path, IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.WriteLine(string.Join(",", header));
        foreach (var row in rows)
            w.WriteLine(string.Join(",", row.Select(v => v switch
            {
                null => "",
                double d => d.ToString("0.#######", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => Quote(v.ToString()!),
            })));
    }

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
