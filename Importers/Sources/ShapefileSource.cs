using System.Text;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Readers;
using WardMap.Importers.Crs;
using WardMap.Importers.Text;

namespace WardMap.Importers.Sources;

/// <summary>
/// An ESRI Shapefile with its .dbf, .prj and .cpg. Text is read as raw bytes (Latin-1 keeps them 1:1) and
/// decoded by <see cref="VietnameseText"/>: --encoding, else the .cpg, else detected from the bytes.
/// </summary>
public sealed class ShapefileSource : FeatureSource
{
    readonly ShapefileReader _reader;
    readonly VietnameseText.Kind _encoding;
    readonly string[] _fields;

    public ShapefileSource(string path, SourceOptions options) : base(path)
    {
        var dbf = System.IO.Path.ChangeExtension(path, ".dbf");
        if (!File.Exists(dbf)) throw new ImportException(path, null, null, new("the shapefile has no .dbf beside it", "shapefile thiếu tệp .dbf đi kèm"));
        var prj = System.IO.Path.ChangeExtension(path, ".prj");
        if (File.Exists(prj))
        {
            try { DeclaredCrs = CrsRegistry.FromWkt(File.ReadAllText(prj)); }
            catch (CrsException e) { throw new ImportException(prj, null, null, e.Said); }
        }
        _reader = OpenReader(path);
        _fields = _reader.Fields.Select(f => f.Name).ToArray();

        var cpg = System.IO.Path.ChangeExtension(path, ".cpg");
        if (options.Encoding is { } declared)
        {
            try { _encoding = VietnameseText.ParseKind(declared); }
            catch (ArgumentException e)   // the upload's encoding field reaches here unchecked, as --encoding does
            {
                throw new ImportException(path, null, "encoding", new(e.Message, $"bảng mã '{declared}' không rõ: dùng utf-8, tcvn3, vni hoặc cp1258"));
            }
            Notes.Add(new($"text encoding {_encoding} (from --encoding)", $"bảng mã {_encoding} (đã chọn, --encoding)"));
        }
        else if (File.Exists(cpg) && FromCpg(File.ReadAllText(cpg)) is { } fromCpg)
        {
            _encoding = fromCpg;
            Notes.Add(new($"text encoding {_encoding} (from the .cpg file)", $"bảng mã {_encoding} (theo tệp .cpg)"));
        }
        else
        {
            using (var sample = OpenReader(path)) _encoding = VietnameseText.Detect(SampleTextBytes(path, sample));
            Notes.Add(new($"text encoding {_encoding} (detected from the DBF bytes: no .cpg; pass --encoding to override)",
                $"bảng mã {_encoding} (nhận ra từ nội dung tệp DBF vì không có tệp .cpg; chỉ định bảng mã khác bằng --encoding)"));
        }
    }

    static VietnameseText.Kind? FromCpg(string cpg) => cpg.Trim().ToUpperInvariant() switch
    {
        "UTF-8" or "UTF8" or "65001" => VietnameseText.Kind.Utf8,
        "1258" or "CP1258" or "WINDOWS-1258" or "ANSI 1258" => VietnameseText.Kind.Cp1258,
        "TCVN3" or "ABC" => VietnameseText.Kind.Tcvn3,
        "VNI" => VietnameseText.Kind.Vni,
        "ISO-8859-1" or "88591" or "LATIN1" => VietnameseText.Kind.Latin1,
        _ => null,
    };

    // Raw bytes through Latin-1 (1:1); decoding happens per row. (ShapefileReader.Restart loses the
    // DBF's place, hence a second reader for the sample.)
    static ShapefileReader OpenReader(string path)
    {
        try
        {
            return Shapefile.OpenRead(path, new ShapefileReaderOptions
            {
                Encoding = Encoding.Latin1,
                GeometryBuilderMode = GeometryBuilderMode.IgnoreInvalidShapes,
            });
        }
        catch (Exception e)
        {
            throw new ImportException(path, null, null, new($"cannot read the shapefile: {e.Message}", $"không đọc được shapefile: {e.Message}"));
        }
    }

    static List<byte[]> SampleTextBytes(string path, ShapefileReader reader)
    {
        var bytes = new List<byte[]>();
        for (long row = 1; row <= 2000 && ReadNext(path, reader, row); row++)
            foreach (var f in reader.Fields)
                if (f.Value is string s && s.Length > 0) bytes.Add(Encoding.Latin1.GetBytes(s));
        return bytes;
    }

    /// <summary>The next record; a damaged file (cut short, .shp and .shx apart) is an error naming the row, not a crash.</summary>
    static bool ReadNext(string path, ShapefileReader reader, long row)
    {
        try { return reader.Read(out _); }
        catch (Exception e)
        {
            var detail = e.Message.Split('\n')[0];
            throw new ImportException(path, row, null, new(
                $"the shapefile is damaged here (cut short, or its .shp, .shx and .dbf do not belong together): {detail}",
                $"shapefile bị hỏng từ chỗ này (bị cắt cụt, hoặc các tệp .shp, .shx và .dbf không cùng một bộ): {detail}"));
        }
    }

    public override IReadOnlyList<string> FieldNames => _fields;
    public override long? Count => _reader.RecordCount;

    public override IEnumerable<SourceRecord> Read()
    {
        long row = 0;
        while (true)
        {
            if (!ReadNext(Path, _reader, row + 1)) yield break;
            row++;
            var values = new object?[_fields.Length];
            for (int i = 0; i < _fields.Length; i++)
            {
                var v = _reader.Fields[i].Value;
                values[i] = v is string s ? VietnameseText.Decode(Encoding.Latin1.GetBytes(s), _encoding).Trim() : v;
            }
            var g = _reader.Geometry;
            yield return new SourceRecord(row, g is null || g.IsEmpty ? null : g, values, g is null || g.IsEmpty ? SourceRecord.EmptyGeometry : null);
        }
    }

    public override void Dispose() => _reader.Dispose();
}
