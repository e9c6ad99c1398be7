using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace WardMap.Importers;

/// <summary>
/// OGC validity for the common case, fast: a cadastral parcel is one ring of a handful of vertices, for
/// which "no two non-adjacent edges meet, no spike, non-zero area" is the whole of validity. Anything
/// else (holes, several parts, long rings, repeated points) goes to NTS's full IsValidOp.
/// </summary>
public static class QuickValidity
{
    const int MaxQuickVertices = 48;

    public static bool IsValid(Geometry g)
    {
        if (g is MultiPolygon { NumGeometries: 1 } mp) g = mp.GetGeometryN(0);
        if (g is not Polygon { NumInteriorRings: 0 } p) return g.IsValid;
        var c = p.ExteriorRing.Coordinates;          // closed: first == last
        int n = c.Length;
        if (n > MaxQuickVertices) return g.IsValid;
        if (n < 4 || !c[0].Equals2D(c[n - 1])) return false;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(c[i].X) || double.IsNaN(c[i].Y) || double.IsInfinity(c[i].X) || double.IsInfinity(c[i].Y)) return false;
            if (i > 0 && c[i].Equals2D(c[i - 1])) return g.IsValid;   // repeated points: let the full check decide
        }
        int segments = n - 1;
        if (segments < 3) return false;
        // Spikes: an edge that doubles back along the previous one.
        for (int i = 0; i < segments; i++)
        {
            var a = c[(i + segments - 1) % segments]; var b = c[i]; var d = c[i + 1];
            if (Orientation.Index(a, b, d) == OrientationIndex.Collinear &&
                (b.X - a.X) * (d.X - b.X) + (b.Y - a.Y) * (d.Y - b.Y) < 0) return false;
        }
        // Non-adjacent edges must not meet.
        var li = new RobustLineIntersector();
        for (int i = 0; i < segments; i++)
            for (int j = i + 2; j < segments; j++)
            {
                if (i == 0 && j == segments - 1) continue;    // the closing edge is adjacent to the first
                li.ComputeIntersection(c[i], c[i + 1], c[j], c[j + 1]);
                if (li.HasIntersection) return false;
            }
        return Area.OfRing(c) > 0;
    }
}
