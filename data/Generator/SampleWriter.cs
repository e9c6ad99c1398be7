using NetTopologySuite.Geometries;
using WardMap.Importers.Crs;
using static WardMap.Generator.Writers;

namespace WardMap.Generator;

/// <summary>Writes the sample ward's source files into a folder; returns a one-line summary.</summary>
public static class SampleWriter
{
    public static string Write(string outDir, int parcels = 25_000, int seed = 20251)
    {
        Directory.CreateDirectory(outDir);
        File.Delete(Path.Combine(outDir, ".complete"));
        var ward = new SampleWard(parcels, seed);
        var zone9209 = CrsRegistry.FromEpsg(9209);
        var precise = new PrecisionModel(1000);
        var precise7 = new PrecisionModel(1e7);

        Geometry ToWgs84(Geometry g) => Round(SampleWard.Crs.ToWgs84(g.Copy()), precise7);
        // Roads, red lines, group and ward outlines: straight in TM-3 over kilometres, so written to lon/lat with a
        // vertex every 100 m, as a GIS exports such a plan (PlanEdges says why).
        Geometry PlanToWgs84(Geometry g) => ToWgs84(PlanEdges.Densify(g));
        Geometry To9209(Geometry g) => Round(zone9209.FromWgs84(SampleWard.Crs.ToWgs84(g.Copy())), precise);
        Geometry Round(Geometry g, PrecisionModel pm)
        {
            g.Apply(new RoundFilter(pm));
            return g;
        }

        // --- parcels: west half as a legacy Hải Dương shapefile (EPSG:9209, ESRI .prj without TOWGS84, TCVN3 DBF,
        //     no .cpg), east half as a Hải Phòng GeoPackage (EPSG:9210, UTF-8). Surveyors' field names in each.
        var midX = ward.X0 + ward.Cols * SampleWard.CellSize / 2;
        var west = ward.Lots.Where(l => l.Geometry.Centroid.X < midX).ToList();
        var east = ward.Lots.Where(l => l.Geometry.Centroid.X >= midX).ToList();
        var shpColumns = new Column[] { new("SHBANDO", typeof(int)), new("SHTHUA", typeof(int)), new("DIENTICH", typeof(double)), new("MDSD", typeof(string), 20),
            new("DIACHI", typeof(string), 120), new("TENCHU", typeof(string), 60), new("SOCCCD", typeof(string), 12), new("SOGCN", typeof(string), 12) };
        int bowTies = 0;
        Writers.Shapefile(Path.Combine(outDir, "parcels_hai_duong_9209.shp"), EsriPrj(105.5), shpColumns, west.Select((l, i) =>
        {
            Geometry g = To9209(l.Geometry);
            if (i % 4001 == 1000 && bowTies < 3)
            {
                // A digitising slip seen in real data: two vertices swapped, making a bow-tie the importer must repair.
                var c = ((Polygon)g).Shell.Coordinates.Select(x => x.Copy()).ToArray();
                (c[1], c[2]) = (c[2], c[1]);
                g = g.Factory.CreatePolygon(c);
                bowTies++;
            }
            return (g, new object?[] { l.Sheet, l.No, l.DeclaredArea, l.LandUse, l.Address, l.Owner, l.OwnerId, l.Certificate });
        }).ToList(), TextEncoding.Tcvn3);

        var gpkgColumns = new Column[] { new("SoTo", typeof(int)), new("SoThua", typeof(int)), new("DienTich", typeof(double)), new("LoaiDat", typeof(string)),
            new("DiaChi", typeof(string)), new("TenChu", typeof(string)), new("CCCD", typeof(string)), new("SoGCN", typeof(string)) };
        GeoPackage(Path.Combine(outDir, "parcels_hai_phong_9210.gpkg"), "thua_dat", 9210, EpsgWkt(9210, 105.75), "POLYGON", gpkgColumns,
            east.Select(l => ((Geometry)l.Geometry.Copy(), new object?[] { l.Sheet, l.No, l.DeclaredArea, l.LandUse, l.Address, l.Owner, l.OwnerId, l.Certificate })));

        // --- planning zones (GeoPackage, EPSG:9210, as planning files under Thông tư 16/2025/TT-BXD arrive)
        GeoPackage(Path.Combine(outDir, "zones.gpkg"), "QuyHoach", 9210, EpsgWkt(9210, 105.75), "MULTIPOLYGON",
            [new("MaKhu", typeof(string)), new("TenKhu", typeof(string)), new("ChucNang", typeof(string)), new("MatDoXD", typeof(double)), new("TangCao", typeof(int)),
             new("ChieuCao", typeof(double)), new("HSSDD", typeof(double)), new("KhoangLui", typeof(double)), new("QuyetDinh", typeof(string))],
            ward.Zones.Select(z => ((Geometry)(z.Geometry is Polygon p ? ward.F.CreateMultiPolygon([p]) : z.Geometry.Copy()),
                new object?[] { z.Code, z.Name, z.PlannedUse, z.Density, z.Floors, z.Height, z.Far, z.Setback, z.PlanRef })));

        // --- GeoJSON layers in WGS 84
        GeoJsonFile(Path.Combine(outDir, "ward_boundary.geojson"),
            [(PlanToWgs84(ward.Ward), new() { ["MaPhuong"] = "11002", ["TenPhuong"] = "Phường Thạch Khôi", ["TinhTP"] = "Thành phố Hải Phòng" })]);
        GeoJsonFile(Path.Combine(outDir, "roads.geojson"), ward.Roads.Select(r =>
            (PlanToWgs84(r.Geometry), new Dictionary<string, object?> { ["MaDuong"] = r.Code, ["TenDuong"] = r.Name, ["BeRong"] = r.Width, ["CapDuong"] = r.Class })));
        GeoJsonFile(Path.Combine(outDir, "red_lines.geojson"), ward.RedLines.Select(r =>
            (PlanToWgs84(r.Geometry), new Dictionary<string, object?> { ["code"] = r.Code, ["kind"] = r.Kind, ["name"] = r.Name, ["width_m"] = r.Width, ["plan_ref"] = r.PlanRef })));
        GeoJsonFile(Path.Combine(outDir, "residential_groups.geojson"), ward.Groups.Select(g =>
            (PlanToWgs84(g.Geometry), new Dictionary<string, object?> { ["MaTo"] = g.Code, ["TenTo"] = g.Name, ["ToTruong"] = g.Leader })));
        Csv(Path.Combine(outDir, "population.csv"), ["MaTo", "DanSo", "SoHo"], ward.Groups.Select(g => new object?[] { g.Code, g.Population, g.Households }));

        // --- assets: points as CSV with lon/lat (the spreadsheet the IOC keeps), drains (lines) as GeoJSON
        Csv(Path.Combine(outDir, "assets_points.csv"), ["kind", "code", "name", "status", "lon", "lat", "details"],
            ward.Assets.Where(a => a.Geometry is Point).Select(a =>
            {
                var p = (Point)ToWgs84(a.Geometry);
                return new object?[] { a.Kind, a.Code, a.Name, a.Status, p.X, p.Y, string.Join("; ", a.Extra.Select(e => $"{e.Key}={e.Value}")) };
            }));
        GeoJsonFile(Path.Combine(outDir, "assets_lines.geojson"), ward.Assets.Where(a => a.Geometry is not Point).Select(a =>
            (PlanToWgs84(a.Geometry), new Dictionary<string, object?>(a.Extra.Select(e => KeyValuePair.Create(e.Key, (object?)e.Value)))
                { ["kind"] = a.Kind, ["code"] = a.Code, ["name"] = a.Name, ["status"] = a.Status })));

        var summary = $"parcels {ward.Lots.Count} ({west.Count} in the 9209 shapefile, {east.Count} in the 9210 GeoPackage, {bowTies} bow-ties), " +
                      $"zones {ward.Zones.Count}, red lines {ward.RedLines.Count}, roads {ward.Roads.Count}, groups {ward.Groups.Count}, " +
                      $"assets {ward.Assets.Count} ({string.Join(", ", ward.Assets.GroupBy(a => a.Kind).Select(g => $"{g.Count()} {g.Key}"))}); " +
                      $"ward area {ward.Ward.Area / 1e6:0.0} km²";
        File.WriteAllText(Path.Combine(outDir, ".complete"), $"seed {seed}\n{summary}\n");
        return summary;

    }

    sealed class RoundFilter(PrecisionModel pm) : ICoordinateSequenceFilter
    {
        public void Filter(CoordinateSequence seq, int i)
        {
            seq.SetX(i, pm.MakePrecise(seq.GetX(i)));
            seq.SetY(i, pm.MakePrecise(seq.GetY(i)));
        }
        public bool Done => false;
        public bool GeometryChanged => true;
    }

}
