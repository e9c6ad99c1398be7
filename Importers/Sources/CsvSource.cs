using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace WardMap.Importers.Sources;

/// <summary>
/// A CSV with a header and either a WKT column or two coordinate columns: lon/lat, or the surveyors'
/// X/Y, where X is the northing and Y the easting (vn2000.md, "Axis names"); the order is checked
/// against the magnitudes VN-2000 coordinates have and stated in the report.
/// </summary>
public sealed class CsvSource : FeatureSource
{
    static readonly string[] WktNames = ["wkt", "geometry", "geom", "the_geom", "shape"];
    static readonly string[] LonNames = ["lon", "lng", "long", "longitude", "kinh_do", "kinhdo"];
    static readonly string[] LatNames = ["lat", "latitude", "vi_do", "vido"];

    readonly string[] _header;
    readonly string[] _fields;
    readonly int _wkt = -1, _a = -1, _b = -1;   // WKT column, or the two coordinate columns
    readonly bool _surveyorXy;
    readonly char _delimiter;

    public CsvSource(string path, SourceOptions options) : base(path)
    {
        var first = File.ReadLines(path).FirstOrDefault() ?? "";
        _delimiter = first.Count(c => c == ';') > first.Count(c => c == ',') ? ';' : ',';
        using (var csv = Open())
        {
            if (!csv.Read() || !csv.ReadHeader()) throw new ImportException(path, 1, null, new("the CSV has no header row", "tệp CSV không có dòng tiêu đề"));
            _header = csv.HeaderRecord!.Select(h => h.Trim()).ToArray();
        }
        int Find(string[] names) => Array.FindIndex(_header, h => names.Contains(h.ToLowerInvariant()));
        _wkt = Find(WktNames);
        if (_wkt < 0)
        {
            (_a, _b) = (Find(LonNames), Find(LatNames));
            if (_a < 0 || _b < 0)
            {
                (_a, _b) = (Find(["x"]), Find(["y"]));
                _surveyorXy = _a >= 0 && _b >= 0;
            }
            if (_a < 0 || _b < 0)
                throw new ImportException(path, 1, null, new(
                    "the CSV has no geometry: add a WKT column (wkt) or coordinate columns (lon, lat) or (X, Y) as surveyors write them",
                    "tệp CSV không có vị trí: thêm cột WKT (wkt) hoặc hai cột tọa độ (lon, lat) hay (X, Y) như cách ghi của ngành đo đạc"));
        }
        var geomCols = new HashSet<int> { _wkt, _a, _b };
        _fields = _header.Where((_, i) => !geomCols.Contains(i)).ToArray();
        if (_surveyorXy) Notes.Add(ReadXyOrder());
    }

    /// <summary>What is wrong with a CSV row that is not as wide as the header (this file's rows, the population CSV's).</summary>
    public static Said? WidthProblem(CsvReader csv, int headerColumns) => csv.Parser.Count == headerColumns ? null : new(
        $"{csv.Parser.Count} column{(csv.Parser.Count == 1 ? "" : "s")} where the header has {headerColumns}" +
        (csv.Parser.Count > headerColumns ? " (a value with a comma in it needs double quotes)" : ""),
        $"có {csv.Parser.Count} cột trong khi dòng tiêu đề có {headerColumns}" +
        (csv.Parser.Count > headerColumns ? " (giá trị có dấu phẩy phải đặt trong ngoặc kép)" : ""));

    CsvReader Open() => new(new StreamReader(Path, System.Text.Encoding.UTF8, true),
        new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = _delimiter.ToString(), BadDataFound = null, TrimOptions = TrimOptions.Trim });

    bool _xIsNorthing = true;

    // VN-2000 northings are ~1.0-2.6 million m, eastings ~0.3-0.7 million m: whichever column holds the
    // millions is the northing.
    Said ReadXyOrder()
    {
        using var csv = Open();
        csv.Read(); csv.ReadHeader();
        int xBig = 0, yBig = 0, n = 0;
        while (n < 200 && csv.Read())
        {
            n++;
            if (WidthProblem(csv, _header.Length) is not null) continue;   // rejected when read (Read)
            if (double.TryParse(csv.GetField(_a), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 900_000) xBig++;
            if (double.TryParse(csv.GetField(_b), NumberStyles.Float, CultureInfo.InvariantCulture, out var y) && y > 900_000) yBig++;
        }
        _xIsNorthing = xBig >= yBig;
        return _xIsNorthing
            ? new("columns X, Y read as northing, easting (the surveyors' order: X is the northing)",
                  "cột X, Y được đọc là tọa độ bắc, tọa độ đông (thứ tự của ngành đo đạc: X là tọa độ bắc)")
            : new("columns X, Y hold easting, northing (X has the easting's magnitude): read as such, not in the surveyors' order",
                  "cột X, Y chứa tọa độ đông, tọa độ bắc (X có độ lớn của tọa độ đông): đọc đúng như vậy, không theo thứ tự của ngành đo đạc");
    }

    public override IReadOnlyList<string> FieldNames => _fields;

    public override IEnumerable<SourceRecord> Read()
    {
        using var csv = Open();
        csv.Read(); csv.ReadHeader();
        var wkt = new WKTReader();
        var factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory();
        var keep = Enumerable.Range(0, _header.Length).Where(i => i != _wkt && i != _a && i != _b).ToArray();
        long row = 0;
        while (csv.Read())
        {
            row++;
            // A row cut short or with a stray unquoted comma: its values would land in the wrong columns.
            if (WidthProblem(csv, _header.Length) is { } width)
            {
                yield return new SourceRecord(row, null, new object?[keep.Length], RowError: width);
                continue;
            }
            var values = new object?[keep.Length];
            for (int i = 0; i < keep.Length; i++)
            {
                var s = csv.GetField(keep[i]);
                values[i] = string.IsNullOrEmpty(s) ? null : Text.Nfc.Of(s);
            }
            Geometry? g = null; Said? error = null;
            if (_wkt >= 0)
            {
                var text = csv.GetField(_wkt);
                if (string.IsNullOrWhiteSpace(text)) error = SourceRecord.EmptyGeometry;
                else
                {
                    try { g = wkt.Read(text); if (g.IsEmpty) { g = null; error = SourceRecord.EmptyGeometry; } }
                    catch (Exception e)
                    {
                        var detail = e.Message.Split('\n')[0];
                        error = new($"column {_header[_wkt]}: not WKT ({detail})", $"cột {_header[_wkt]}: không phải WKT ({detail})");
                    }
                }
            }
            else
            {
                var sa = csv.GetField(_a); var sb = csv.GetField(_b);
                if (!double.TryParse(sa, NumberStyles.Float, CultureInfo.InvariantCulture, out var a))
                    error = NotANumber(_header[_a], sa);
                else if (!double.TryParse(sb, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
                    error = NotANumber(_header[_b], sb);
                else
                {
                    // lon/lat -> (x=lon, y=lat); surveyor X/Y -> (x=easting, y=northing)
                    var (x, y) = _surveyorXy && _xIsNorthing ? (b, a) : (a, b);
                    g = factory.CreatePoint(new Coordinate(x, y));
                }
            }
            yield return new SourceRecord(row, g, values, error);
        }
    }

    static Said NotANumber(string column, string? value) =>
        new($"column {column}: '{value}' is not a number", $"cột {column}: '{value}' không phải là số");
}
