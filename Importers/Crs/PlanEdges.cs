using NetTopologySuite.Densify;
using NetTopologySuite.Geometries;

namespace WardMap.Importers.Crs;

/// <summary>
/// A plan's edges are straight in its projected plane and often kilometres long (a road's red line, a zone, the
/// ward's outline): reprojected vertex by vertex, a 5 km edge bows ~0.2 m off that line in lon/lat, enough to make a
/// red line cross the parcels it borders. A vertex every 100 m keeps the bow under 0.1 mm, as `ogr2ogr -segmentize`
/// does. Parcels keep the vertices they were surveyed with (an extract lists them; their edges are short).
/// </summary>
public static class PlanEdges
{
    public const double MaxEdgeM = 100;

    /// <summary>The geometry with a vertex added wherever an edge is longer than <see cref="MaxEdgeM"/>; same type, same parts.</summary>
    public static Geometry Densify(Geometry g) => g switch
    {
        // Part by part: the densifier hands back a Polygon for a MultiPolygon of one, and the layers keep Multi types.
        MultiPolygon mp => g.Factory.CreateMultiPolygon(Parts(mp).Select(x => (Polygon)Densify(x)).ToArray()),
        MultiLineString ml => g.Factory.CreateMultiLineString(Parts(ml).Select(x => (LineString)Densify(x)).ToArray()),
        GeometryCollection gc => g.Factory.CreateGeometryCollection(Parts(gc).Select(Densify).ToArray()),
        // Collinear vertices keep a valid polygon valid: no buffer(0) pass.
        Polygon or LineString => new Densifier(g) { DistanceTolerance = MaxEdgeM, Validate = false }.GetResultGeometry(),
        _ => g,
    };

    static IEnumerable<Geometry> Parts(Geometry g) => Enumerable.Range(0, g.NumGeometries).Select(g.GetGeometryN);
}
