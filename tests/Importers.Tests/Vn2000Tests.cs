using System.Globalization;
using WardMap.Importers.Crs;
using WardMap.TestSupport;

namespace WardMap.Importers.Tests;

/// <summary>VN-2000 -> WGS 84 against the PROJ-made vectors of ../shared/domain/vn2000-vectors.csv.</summary>
public class Vn2000Tests
{
    public static TheoryData<int, double, double, double, double> Vectors()
    {
        var data = new TheoryData<int, double, double, double, double>();
        foreach (var line in File.ReadLines(Repo.DomainFile("vn2000-vectors.csv")).Skip(1))
        {
            var f = line.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            data.Add((int)f[0], f[1], f[2], f[3], f[4]);
        }
        return data;
    }

    static double MetresBetween(double lon1, double lat1, double lon2, double lat2)
    {
        var dy = (lat2 - lat1) * 110_574;
        var dx = (lon2 - lon1) * 111_320 * Math.Cos(lat1 * Math.PI / 180);
        return Math.Sqrt(dx * dx + dy * dy);
    }

    [Theory, MemberData(nameof(Vectors))]
    public void Projected_vector_lands_within_a_centimetre_of_the_published_WGS84(int epsg, double e, double n, double lon, double lat)
    {
        var (x, y) = CrsRegistry.FromEpsg(epsg).ToWgs84(e, n);
        Assert.True(MetresBetween(x, y, lon, lat) < 0.01, $"EPSG:{epsg} ({e}, {n}) -> ({x:F9}, {y:F9}), expected ({lon}, {lat})");
    }

    [Theory, MemberData(nameof(Vectors))]
    public void WGS84_vector_goes_back_to_the_same_easting_and_northing(int epsg, double e, double n, double lon, double lat)
    {
        var (x, y) = CrsRegistry.FromEpsg(epsg).FromWgs84(lon, lat);
        Assert.True(Math.Abs(x - e) < 0.01 && Math.Abs(y - n) < 0.01, $"EPSG:{epsg} back to ({x:F4}, {y:F4}), expected ({e}, {n})");
    }

    [Fact]
    public void Coordinate_frame_rotation_signs_would_move_a_Hai_Phong_point_more_than_half_a_metre()
    {
        // The trap of vn2000.md: same numbers, rotations negated. Built by hand with ProjNET to show the
        // vectors above would catch it.
        var f = new ProjNet.CoordinateSystems.CoordinateSystemFactory();
        var datum = f.CreateHorizontalDatum("VN-2000 (coordinate frame signs)", ProjNet.CoordinateSystems.DatumType.HD_Geocentric,
            ProjNet.CoordinateSystems.Ellipsoid.WGS84,
            new ProjNet.CoordinateSystems.Wgs84ConversionInfo(-191.90441429, -39.30318279, -111.45032835, -0.00928836, 0.01975479, -0.00427372, 0.252906278));
        var gcs = f.CreateGeographicCoordinateSystem("VN-2000 wrong", ProjNet.CoordinateSystems.AngularUnit.Degrees, datum,
            ProjNet.CoordinateSystems.PrimeMeridian.Greenwich,
            new("Lon", ProjNet.CoordinateSystems.AxisOrientationEnum.East), new("Lat", ProjNet.CoordinateSystems.AxisOrientationEnum.North));
        var proj = f.CreateProjection("tm", "Transverse_Mercator",
            [new("latitude_of_origin", 0), new("central_meridian", 105.75), new("scale_factor", 0.9999), new("false_easting", 500000), new("false_northing", 0)]);
        var pcs = f.CreateProjectedCoordinateSystem("wrong", gcs, proj, ProjNet.CoordinateSystems.LinearUnit.Metre,
            new("E", ProjNet.CoordinateSystems.AxisOrientationEnum.East), new("N", ProjNet.CoordinateSystems.AxisOrientationEnum.North));
        var wrong = new ProjNet.CoordinateSystems.Transformations.CoordinateTransformationFactory()
            .CreateFromCoordinateSystems(pcs, ProjNet.CoordinateSystems.GeographicCoordinateSystem.WGS84).MathTransform;
        var (x, y) = wrong.Transform(588893.2332, 2316747.5837);
        var (rx, ry) = CrsRegistry.FromEpsg(9210).ToWgs84(588893.2332, 2316747.5837);
        Assert.InRange(MetresBetween(x, y, rx, ry), 0.5, 1.2);
    }

    [Fact]
    public void An_ESRI_prj_without_TOWGS84_is_recognised_as_VN2000_by_datum_name_and_meridian()
    {
        var crs = CrsRegistry.FromWkt(WardMap.Generator.Writers.EsriPrj(105.5));
        Assert.Equal(9209, crs.Srid);
        var (lon, lat) = crs.ToWgs84(574832.2425, 2318712.5104);
        Assert.True(MetresBetween(lon, lat, 106.221498279, 20.960166386) < 0.01);
    }

    [Fact]
    public void A_GeoPackage_EPSG_definition_is_taken_by_its_authority_code()
        => Assert.Equal(9210, CrsRegistry.FromWkt(WardMap.Generator.Writers.EpsgWkt(9210, 105.75)).Srid);

    [Fact]
    public void A_projected_CRS_on_an_unknown_datum_is_refused_not_guessed()
    {
        var wkt = "PROJCS[\"Local\",GEOGCS[\"Hanoi 1972\",DATUM[\"Hanoi_1972\",SPHEROID[\"Krassowsky 1940\",6378245,298.3]],PRIMEM[\"Greenwich\",0]," +
                  "UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"central_meridian\",105],PARAMETER[\"scale_factor\",1]," +
                  "PARAMETER[\"false_easting\",500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1]]";
        var e = Assert.Throws<CrsException>(() => CrsRegistry.FromWkt(wkt));
        Assert.Contains("Hanoi_1972", e.Message);
        Assert.Contains("--srs", e.Message);
    }

    [Fact]
    public void Deprecated_EPSG_6959_is_refused_with_the_code_to_use_instead()
        => Assert.Contains("5899", Assert.Throws<CrsException>(() => CrsRegistry.FromEpsg(6959)).Message);

    [Theory]
    [InlineData("EPSG:9209", 9209)]
    [InlineData("9210", 9210)]
    [InlineData("urn:ogc:def:crs:EPSG::5899", 5899)]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", 4326)]
    public void SRS_arguments_are_read_in_their_usual_spellings(string text, int srid) => Assert.Equal(srid, CrsRegistry.ParseSrid(text));
}
