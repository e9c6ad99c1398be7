using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Union;
using WardMap.Importers.Crs;
using WardMap.Importers.Sources;

namespace WardMap.Importers;

/// <summary>
/// An area a planner brings as a file instead of drawing it (a plan's boundary from the drawing office, a project's
/// site): every polygon in the file(s), reprojected to WGS 84 as an import would (VN-2000 TM-3 from its .prj, the
/// GeoPackage's srs or the given EPSG code; long plan edges kept straight), joined into one. Lines and points
/// (labels, dimension marks) are left out and counted. A file that declares no CRS and is not in lon/lat is read in
/// the fallback zone when one is given (the viewer sends the VN-2000 zone its user picked), else refused.
/// </summary>
public static class AreaFile
{
    public sealed record Area(Geometry Polygon, int Polygons, int LeftOut, string Crs, bool CrsAssumed, int Repaired);

    public static Area Read(IReadOnlyList<string> files, string? srs, string? fallbackSrs = null)
    {
        var parts = new List<Geometry>();
        int leftOut = 0, repaired = 0;
        SourceCrs? crs = null;
        bool assumed = false;
        foreach (var file in files)
        {
            using var source = FeatureSource.Open(file, new SourceOptions());
            SourceCrs? fileCrs;
            try { fileCrs = srs is not null ? CrsRegistry.FromEpsg(CrsRegistry.ParseSrid(srs)) : source.DeclaredCrs; }
            catch (CrsException e) { throw new ImportException(file, null, "srs", e.Said); }
            foreach (var record in source.Read())
            {
                if (record.RowError is not null) throw new ImportException(file, record.Row, null, record.RowError);
                if (record.Geometry is not (Polygon or MultiPolygon) || record.Geometry.IsEmpty) { leftOut++; continue; }
                if (fileCrs is null)
                {
                    try { fileCrs = Importer.GuessCrs(record, file, out _); }
                    catch (ImportException) when (fallbackSrs is not null)
                    {
                        try { fileCrs = CrsRegistry.FromEpsg(CrsRegistry.ParseSrid(fallbackSrs)); }
                        catch (CrsException e) { throw new ImportException(file, null, "fallback_srs", e.Said); }
                        assumed = true;
                    }
                }
                var g = record.Geometry.Copy();
                // A hand-drawn boundary may cross itself; the area it encloses is what the planner means.
                if (!g.IsValid) { g = GeometryFixer.Fix(g); repaired++; }
                if (fileCrs.IsProjected) g = PlanEdges.Densify(g);
                parts.Add(fileCrs.ToWgs84(g));
            }
            crs ??= fileCrs;
        }
        if (parts.Count == 0)
            throw new ImportException(files[0], null, "geometry", leftOut > 0
                ? new($"the file holds no polygon ({leftOut} lines or points): an area needs a Polygon or MultiPolygon",
                      $"tệp không có vùng nào ({leftOut} đường hoặc điểm): một khu vực phải là Polygon hoặc MultiPolygon")
                : new("the file holds no features", "tệp không có đối tượng nào"));
        var area = UnaryUnionOp.Union(parts);
        area.SRID = 4326;
        return new Area(area, parts.Count, leftOut, crs?.ToString() ?? "EPSG:4326", assumed, repaired);
    }
}
