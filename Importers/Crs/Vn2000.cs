using System.Globalization;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace WardMap.Importers.Crs;

/// <summary>
/// A source CRS the importer understands, with its transformation to WGS84 lon/lat (EPSG:4326).
/// VN-2000 is built from the EPSG parameters (../shared/domain/vn2000.md), never from a .prj's datum.
/// </summary>
public sealed class SourceCrs
{
    public int Srid { get; }
    public string Name { get; }
    public bool IsProjected { get; }
    /// <summary>The TM-3 central meridian for VN-2000 zones; null otherwise.</summary>
    public double? CentralMeridian { get; }
    readonly MathTransform? _toWgs84;
    readonly MathTransform? _fromWgs84;

    internal SourceCrs(int srid, string name, bool projected, double? cm, CoordinateSystem? cs)
    {
        Srid = srid; Name = name; IsProjected = projected; CentralMeridian = cm;
        if (cs is not null)
        {
            var f = new CoordinateTransformationFactory();
            _toWgs84 = f.CreateFromCoordinateSystems(cs, GeographicCoordinateSystem.WGS84).MathTransform;
            _fromWgs84 = f.CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, cs).MathTransform;
        }
    }

    public bool IsWgs84 => _toWgs84 is null;

    public (double Lon, double Lat) ToWgs84(double x, double y) => _toWgs84 is null ? (x, y) : _toWgs84.Transform(x, y);
    public (double X, double Y) FromWgs84(double lon, double lat) => _fromWgs84 is null ? (lon, lat) : _fromWgs84.Transform(lon, lat);

    /// <summary>Transforms a geometry in place to EPSG:4326.</summary>
    public Geometry ToWgs84(Geometry g) => Apply(g, _toWgs84, 4326);
    /// <summary>Transforms a copy of a WGS84 geometry into this CRS.</summary>
    public Geometry FromWgs84(Geometry g) => Apply(g.Copy(), _fromWgs84, Srid);

    static Geometry Apply(Geometry g, MathTransform? t, int srid)
    {
        if (t is not null) g.Apply(new TransformFilter(t));
        g.SRID = srid;
        return g;
    }

    // Point by point: ProjNET 2.0's span overload gives a ring's points slightly different answers
    // from the per-point call (seen: 3 mm, and a ring no longer closed), so it is not used.
    sealed class TransformFilter(MathTransform t) : ICoordinateSequenceFilter
    {
        public void Filter(CoordinateSequence seq, int i)
        {
            var (x, y) = t.Transform(seq.GetX(i), seq.GetY(i));
            seq.SetX(i, x);
            seq.SetY(i, y);
        }
        public bool Done => false;
        public bool GeometryChanged => true;
    }

    public override string ToString() => $"EPSG:{Srid} ({Name})";
}

/// <summary>Builds <see cref="SourceCrs"/> from an EPSG code, a .prj / GeoPackage WKT, or a GeoJSON crs name.</summary>
public static class CrsRegistry
{
    // EPSG's VN-2000 -> WGS 84 shift in the position-vector convention (PROJ's +towgs84). Feeding the
    // coordinate-frame signs (rotations negated) moves points ~0.75 m: see vn2000.md, "a trap".
    static readonly double[] Vn2000ToWgs84 = [-191.90441429, -39.30318279, -111.45032835, 0.00928836, -0.01975479, 0.00427372, 0.252906278];

    /// <summary>VN-2000 TM-3 zones by EPSG code, with their central meridian (EPSG dataset, checked with projinfo).</summary>
    public static readonly IReadOnlyDictionary<int, double> Tm3Zones = new Dictionary<int, double>
    {
        [5896] = 102, [5897] = 105, [5898] = 108, [5899] = 107.75,
        [9205] = 103, [9206] = 104, [9207] = 104.5, [9208] = 104.75, [9209] = 105.5, [9210] = 105.75,
        [9211] = 106, [9212] = 106.25, [9213] = 106.5, [9214] = 107, [9215] = 107.25, [9216] = 107.5,
        [9217] = 108.25, [9218] = 108.5,
    };

    /// <summary>VN-2000 UTM zones 48N and 49N (k = 0.9996), for older national maps.</summary>
    static readonly IReadOnlyDictionary<int, double> UtmZones = new Dictionary<int, double> { [3405] = 105, [3406] = 111 };

    static readonly Dictionary<int, SourceCrs> Cache = new();

    public static SourceCrs Wgs84 { get; } = new(4326, "WGS 84", false, null, null);

    public static bool IsVn2000Tm3(int srid) => Tm3Zones.ContainsKey(srid);

    /// <summary>Parses "EPSG:9209", "9209" or "urn:ogc:def:crs:EPSG::9209".</summary>
    public static int ParseSrid(string text)
    {
        var m = Regex.Match(text.Trim(), @"(?:EPSG[:\s]*:*|^)(\d{4,6})\s*$", RegexOptions.IgnoreCase);
        if (m.Success) return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        if (Regex.IsMatch(text, @"CRS84\s*$", RegexOptions.IgnoreCase)) return 4326;
        throw new CrsException(new($"'{text}' is not an EPSG code; write it as EPSG:9209.", $"'{text}' không phải mã EPSG; hãy viết dạng EPSG:9209."));
    }

    public static SourceCrs FromEpsg(int srid)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(srid, out var hit)) return hit;
            var crs = Build(srid);
            Cache[srid] = crs;
            return crs;
        }
    }

    static SourceCrs Build(int srid)
    {
        if (srid is 4326 or 4979) return Wgs84;
        if (srid == 6959)
            throw new CrsException(new("EPSG:6959 (VN-2000 / CS Da Nang) is deprecated and swaps false easting and northing; re-export the file in EPSG:5899 or pass --srs EPSG:5899.",
                "EPSG:6959 (VN-2000 / CS Da Nang) đã bị bãi bỏ và đổi chỗ tọa độ đông với tọa độ bắc; hãy xuất lại tệp theo EPSG:5899 hoặc chọn hệ tọa độ EPSG:5899 (--srs)."));
        if (srid == 4756) return new SourceCrs(4756, "VN-2000", false, null, Vn2000Geographic());
        if (Tm3Zones.TryGetValue(srid, out var cm))
            return new SourceCrs(srid, $"VN-2000 / TM-3 {Dms(cm)}", true, cm, Vn2000Tm(srid, cm, 0.9999));
        if (UtmZones.TryGetValue(srid, out var ucm))
            return new SourceCrs(srid, $"VN-2000 / UTM zone {(ucm == 105 ? 48 : 49)}N", true, null, Vn2000Tm(srid, ucm, 0.9996));
        if (srid == 3857) return new SourceCrs(3857, "WGS 84 / Pseudo-Mercator", true, null, ProjectedCoordinateSystem.WebMercator);
        throw new CrsException(new($"EPSG:{srid} is not a CRS WardMap imports (WGS 84, VN-2000 geographic, VN-2000 TM-3 or UTM zones); reproject the file first.",
            $"WardMap không nhập dữ liệu theo EPSG:{srid} (chỉ WGS 84, VN-2000 tọa độ địa lý, VN-2000 múi 3° hoặc UTM); hãy chuyển hệ tọa độ của tệp trước."));
    }

    static string Dms(double deg) => $"{(int)deg}-{(int)Math.Round((deg - (int)deg) * 60):00}";

    static GeographicCoordinateSystem Vn2000Geographic()
    {
        var f = new CoordinateSystemFactory();
        var datum = f.CreateHorizontalDatum("Vietnam_2000", DatumType.HD_Geocentric, Ellipsoid.WGS84,
            new Wgs84ConversionInfo(Vn2000ToWgs84[0], Vn2000ToWgs84[1], Vn2000ToWgs84[2], Vn2000ToWgs84[3], Vn2000ToWgs84[4], Vn2000ToWgs84[5], Vn2000ToWgs84[6]));
        return f.CreateGeographicCoordinateSystem("VN-2000", AngularUnit.Degrees, datum, PrimeMeridian.Greenwich,
            new AxisInfo("Lon", AxisOrientationEnum.East), new AxisInfo("Lat", AxisOrientationEnum.North));
    }

    static ProjectedCoordinateSystem Vn2000Tm(int srid, double centralMeridian, double k)
    {
        var f = new CoordinateSystemFactory();
        var parameters = new List<ProjectionParameter>
        {
            new("latitude_of_origin", 0), new("central_meridian", centralMeridian), new("scale_factor", k),
            new("false_easting", 500000), new("false_northing", 0),
        };
        var projection = f.CreateProjection("Transverse_Mercator", "Transverse_Mercator", parameters);
        return f.CreateProjectedCoordinateSystem($"EPSG:{srid}", Vn2000Geographic(), projection, LinearUnit.Metre,
            new AxisInfo("East", AxisOrientationEnum.East), new AxisInfo("North", AxisOrientationEnum.North));
    }

    /// <summary>
    /// Recognises a WKT CRS (a .prj, a GeoPackage definition): by its EPSG authority when it carries one,
    /// else VN-2000 by datum name and TM parameters (ESRI .prj files omit TOWGS84), else WGS 84.
    /// A projected CRS on an unknown datum is refused rather than guessed.
    /// </summary>
    public static SourceCrs FromWkt(string wkt)
    {
        var text = wkt.Trim();
        if (text.Length == 0) throw new CrsException(PassSrs("the CRS definition is empty", "định nghĩa hệ tọa độ bị trống"));
        bool projected = Regex.IsMatch(text, @"^\s*(PROJCS|PROJCRS|PROJECTEDCRS)\b", RegexOptions.IgnoreCase);
        // The outermost AUTHORITY/ID is the last one in WKT1 and WKT2.
        var ids = Regex.Matches(text, @"(?:AUTHORITY|ID)\[\s*""EPSG""\s*,\s*""?(\d+)""?\s*\]", RegexOptions.IgnoreCase);
        if (ids.Count > 0)
        {
            var code = int.Parse(ids[^1].Groups[1].Value, CultureInfo.InvariantCulture);
            if (code == 6959 || Tm3Zones.ContainsKey(code) || UtmZones.ContainsKey(code) || code is 4326 or 4756 or 3857)
                return FromEpsg(code);
        }
        var datumMatch = Regex.Match(text, @"DATUM\[\s*""([^""]*)""", RegexOptions.IgnoreCase);
        var datum = datumMatch.Success ? datumMatch.Groups[1].Value : "";
        bool vn2000 = Regex.IsMatch(datum + " " + text[..Math.Min(text.Length, 120)], @"VN[_\- ]?2000|Vietnam[_ ]?2000", RegexOptions.IgnoreCase);
        bool wgs84 = Regex.IsMatch(datum, @"WGS[_ ]?(19)?84", RegexOptions.IgnoreCase);

        if (!projected)
        {
            if (vn2000) return FromEpsg(4756);
            if (wgs84) return Wgs84;
            throw new CrsException(PassSrs($"the geographic CRS on datum '{datum}' is not one WardMap knows", $"WardMap không biết hệ tọa độ địa lý trên mốc '{datum}'"));
        }
        if (vn2000)
        {
            double? cm = Param(text, "central_meridian");
            double? k = Param(text, "scale_factor");
            double? fe = Param(text, "false_easting");
            if (cm is null || k is null)
                throw new CrsException(PassSrs("the .prj names VN-2000 but not its central meridian", "tệp .prj ghi VN-2000 nhưng không ghi kinh tuyến trục"));
            if (fe is not null && Math.Abs(fe.Value - 500000) > 0.001)
                throw new CrsException(new($"the VN-2000 CRS has false easting {fe} (not 500000): EPSG:6959-style definitions swap easting and northing; re-export in EPSG:5899 or pass --srs.",
                    $"hệ VN-2000 của tệp có số gia tọa độ đông {fe} (không phải 500000): kiểu định nghĩa EPSG:6959 này đổi chỗ tọa độ đông với tọa độ bắc; hãy xuất lại theo EPSG:5899 hoặc chọn hệ tọa độ (--srs)."));
            var table = Math.Abs(k.Value - 0.9999) < 1e-7 ? Tm3Zones : Math.Abs(k.Value - 0.9996) < 1e-7 ? UtmZones : null;
            var hit = table?.FirstOrDefault(z => Math.Abs(z.Value - cm.Value) < 1e-6);
            if (hit is { Key: > 0 } found) return FromEpsg(found.Key);
            throw new CrsException(PassSrs($"VN-2000 Transverse Mercator with central meridian {cm} and scale {k} matches no EPSG zone",
                $"VN-2000 Transverse Mercator với kinh tuyến trục {cm} và hệ số tỷ lệ {k} không khớp múi EPSG nào"));
        }
        if (wgs84 && Regex.IsMatch(text, @"Mercator_Auxiliary_Sphere|Pseudo.?Mercator|Popular Visualisation", RegexOptions.IgnoreCase))
            return FromEpsg(3857);
        throw new CrsException(new($"the file's projected CRS is on datum '{datum}', which WardMap cannot transform safely; pass --srs EPSG:NNNN if you know the right one.",
            $"hệ tọa độ phẳng của tệp dựa trên mốc '{datum}', WardMap không chuyển đổi an toàn được; nếu biết hệ đúng, hãy chọn nó (--srs EPSG:NNNN)."));
    }

    static Said PassSrs(string en, string vi) => new($"{en}; pass --srs EPSG:NNNN.", $"{vi}; hãy chọn hệ tọa độ (--srs EPSG:NNNN).");

    static double? Param(string wkt, string name)
    {
        var m = Regex.Match(wkt, $@"PARAMETER\[\s*""{name}""\s*,\s*([-+0-9.eE]+)", RegexOptions.IgnoreCase);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}

/// <summary>A CRS WardMap cannot read or trust, said in English and Vietnamese (the import page shows it).</summary>
public sealed class CrsException(Said message) : Exception(message.En)
{
    public Said Said { get; } = message;
}
