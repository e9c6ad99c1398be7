using NetTopologySuite.Geometries;

namespace WardMap.Importers.Tests;

public class QuickValidityTests
{
    static readonly GeometryFactory F = new();

    [Fact]
    public void Agrees_with_NetTopologySuite_on_thousands_of_random_small_rings()
    {
        var rng = new Random(42);
        int invalid = 0;
        for (int k = 0; k < 5000; k++)
        {
            int n = rng.Next(3, 8);
            var pts = Enumerable.Range(0, n).Select(_ => new Coordinate(rng.Next(0, 6), rng.Next(0, 6))).ToList();
            pts.Add(pts[0].Copy());
            Polygon p;
            try { p = F.CreatePolygon(pts.ToArray()); } catch (ArgumentException) { continue; }
            bool expected = p.IsValid;
            if (!expected) invalid++;
            Assert.True(expected == QuickValidity.IsValid(p), $"{p} NTS says {expected}");
        }
        Assert.True(invalid > 500, "the sample should hold many invalid rings");
    }

    [Fact]
    public void A_bow_tie_is_invalid_and_a_rectangle_valid()
    {
        Assert.False(QuickValidity.IsValid(F.CreatePolygon([new(0, 0), new(10, 10), new(10, 0), new(0, 10), new(0, 0)])));
        Assert.True(QuickValidity.IsValid(F.CreatePolygon([new(0, 0), new(10, 0), new(10, 10), new(0, 10), new(0, 0)])));
    }
}
