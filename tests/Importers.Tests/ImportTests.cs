using Npgsql;
using WardMap.Generator;
using WardMap.TestSupport;
using static WardMap.Importers.Tests.TestFiles;

namespace WardMap.Importers.Tests;

/// <summary>Imports into a real PostGIS (a database of each test's own), checked against PostGIS's own answers.</summary>
public sealed class ImportTests : IAsyncLifetime
{
    TestDatabase _db = null!;
    readonly TestFiles _files = new();

    public async Task InitializeAsync()
    {
        _db = await (await PostGis.InstanceAsync()).CreateDatabaseAsync();
        await Import("ward_boundary", Repo.SampleSmall("ward_boundary.geojson"));
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _files.Dispose();
    }

    Task<ImportReport> Import(string layer, string file, Func<ImportRequest, ImportRequest>? with = null, Importer? importer = null)
    {
        var request = new ImportRequest(layer, file);
        return (importer ?? new Importer(_db.DataSource)).RunAsync(with is null ? request : with(request));
    }

    static object Parcel(int sheet, int no, string use = "ODT", object? area = null, string owner = "Nguyễn Văn An") =>
        new Dictionary<string, object?> { ["SoTo"] = sheet, ["SoThua"] = no, ["LoaiDat"] = use, ["DienTich"] = area ?? 100.0, ["TenChu"] = owner };

    [Fact]
    public async Task Import_of_the_legacy_shapefile_decodes_TCVN3_and_lands_where_PostGIS_puts_the_same_coordinates()
    {
        var report = await Import("parcels", Repo.SampleSmall("parcels_hai_duong_9209.shp"));

        Assert.Equal("succeeded", report.Status);
        Assert.Equal(460, report.RowsLoaded);
        Assert.Equal(9209, report.SourceSrid);
        Assert.Contains(report.Notes, n => n.En.Contains("Tcvn3") && n.En.Contains("detected"));
        Assert.Equal(460, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels WHERE address LIKE 'Thửa %phường Thạch Khôi'"));

        // Every parcel's first vertex, re-read from the shapefile and transformed by PostGIS (PROJ, EPSG
        // definition), sits within 1 cm of what the importer stored.
        using var shp = NetTopologySuite.IO.Esri.Shapefile.OpenRead(Repo.SampleSmall("parcels_hai_duong_9209.shp"));
        int row = 0, checkedRows = 0;
        while (shp.Read(out _))
        {
            row++;
            if (row % 23 != 0) continue;
            var c = shp.Geometry.Coordinates[0];
            var metres = await _db.ScalarAsync<double>("""
                SELECT ST_Distance(ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 9209), 9209),
                                   ST_Transform(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1), 9209))
                FROM parcels WHERE sheet_no = $3 AND parcel_no = $4
                """, c.X, c.Y, Convert.ToInt32(shp.Fields["SHBANDO"].Value), Convert.ToInt32(shp.Fields["SHTHUA"].Value));
            Assert.True(metres < 0.01, $"row {row}: {metres:0.0000} m off");
            checkedRows++;
        }
        Assert.True(checkedRows >= 20);
        // The legal area is the plane area in the file's own TM-3 zone, as PostGIS measures it.
        var worst = await _db.ScalarAsync<double>("SELECT max(abs(legal_area_m2 - ST_Area(ST_Transform(geom, source_srid)))) FROM parcels");
        Assert.True(worst < 0.06, $"legal area differs from PostGIS by {worst} m²");
    }

    [Fact]
    public async Task Import_of_a_GeoPackage_in_EPSG_9210_then_upsert_keeps_both_zones_parcels()
    {
        await Import("parcels", Repo.SampleSmall("parcels_hai_duong_9209.shp"));
        var report = await Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"), r => r with { Upsert = true });
        Assert.Equal(300, report.RowsLoaded);
        Assert.Equal(9210, report.SourceSrid);
        Assert.Equal(760, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
        Assert.Equal(300, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels WHERE source_srid = 9210"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels p WHERE NOT ST_Within(p.geom, (SELECT ST_Buffer(geom, 0.0001) FROM ward_boundary))"));
    }

    [Fact]
    public async Task A_red_line_drawn_in_TM3_keeps_its_long_edges_where_TM3_has_them_once_in_lon_lat()
    {
        // A road's red line as the city draws it: a 5 km strip, four corners, in EPSG:9210.
        var (e, n) = WardCentre9210;
        var f = new NetTopologySuite.Geometries.GeometryFactory();
        var strip = f.CreatePolygon([new(e - 2500, n), new(e + 2500, n), new(e + 2500, n + 20), new(e - 2500, n + 20), new(e - 2500, n)]);
        var file = _files.GeoJson("red_lines_9210.geojson", [(strip, new { code = "RL-5KM", kind = "red_line", name = "Chỉ giới đường 5 km" })], 9210);
        Assert.Equal("succeeded", (await Import("red_lines", file)).Status);
        // The middle of its southern edge, where a straight line in lon/lat between the corners would pass ~0.2 m off,
        // lies on the stored outline as lon/lat draws it (a map, a tile, PostGIS's geometry functions: straight in
        // degrees, followed here in 11 m steps) to the centimetre the importer's and PROJ's transforms agree to.
        var metres = await _db.ScalarAsync<double>("""
            SELECT ST_Distance(ST_Transform(ST_Segmentize(ST_Boundary(geom), 0.0001), 9210), ST_SetSRID(ST_MakePoint($1, $2), 9210))
            FROM red_lines WHERE code = 'RL-5KM'
            """, e, n);
        Assert.True(metres < 0.01, $"the stored edge passes {metres:0.0000} m from the TM-3 one");
        // Parcels keep the vertices they were surveyed with: an extract lists them.
        await Import("parcels", _files.GeoJson("parcel_9210.geojson", [(Square(0, -600, 400), Parcel(1, 1, area: 160_000.0))], 9210));
        Assert.Equal(5, await _db.ScalarAsync<int>("SELECT ST_NPoints(geom) FROM parcels"));
    }

    [Fact]
    public async Task Import_of_a_shapefile_with_an_invalid_ring_repairs_it_and_reports_the_row()
    {
        var ok = Square(0, 0, 20);
        var bowTie = new NetTopologySuite.Geometries.GeometryFactory().CreatePolygon(
            [ok.Coordinates[0], ok.Coordinates[2], ok.Coordinates[1], ok.Coordinates[3], ok.Coordinates[0]]);
        var path = Path.Combine(_files.Dir, "bowtie.shp");
        Writers.Shapefile(path, Writers.EsriPrj(105.75), [new("SoTo", typeof(int)), new("SoThua", typeof(int)), new("MDSD", typeof(string))],
            [(Square(-50, 0), new object?[] { 1, 1, "ODT" }), (bowTie, new object?[] { 1, 2, "ODT" })], Writers.TextEncoding.Utf8);

        var report = await Import("parcels", path);

        Assert.Equal(2, report.RowsLoaded);
        var repaired = Assert.Single(report.Repaired);
        Assert.Equal(2, repaired.Row);
        Assert.Contains("Self-intersection", repaired.Reason);
        Assert.True(await _db.ScalarAsync<bool>("SELECT bool_and(ST_IsValid(geom)) FROM parcels"));
        Assert.Equal(200, await _db.ScalarAsync<double>("SELECT round(legal_area_m2) FROM parcels WHERE parcel_no = 2"));   // two 10 m triangles
    }

    [Fact]
    public async Task Bad_rows_are_rejected_with_row_field_and_reason_and_the_good_rows_load()
    {
        var path = _files.GeoJson("mixed.geojson",
        [
            (ToWgs84(Square(0, 0)), Parcel(1, 1)),
            (ToWgs84(Square(20, 0)), Parcel(1, 2, use: "XYZ")),               // unknown land use
            (ToWgs84(Square(40, 0)), Parcel(1, 1)),                           // duplicate sheet/parcel
            (null, Parcel(1, 4)),                                              // no geometry
            (ToWgs84(Square(60, 0)), Parcel(1, 5, area: "mười")),             // non-numeric area
            (ToWgs84(Square(5000, 0)), Parcel(1, 6)),                          // 5 km outside the ward
            (ToWgs84(Square(80, 0)), Parcel(1, 7, use: "odt+cln")),            // compound, lower case: fine
        ]);

        var report = await Import("parcels", path);

        Assert.Equal(7, report.RowsRead);
        Assert.Equal(2, report.RowsLoaded);
        var reasons = report.Rejected.ToDictionary(r => r.Row);
        Assert.Contains("unknown land-use code 'XYZ'", reasons[2].Reason);
        Assert.Equal("LoaiDat", reasons[2].Field);
        Assert.Contains("duplicate sheet_no/parcel_no 1/1 (first at row 1)", reasons[3].Reason);
        Assert.Equal("empty geometry", reasons[4].Reason);
        Assert.Equal("DienTich", reasons[5].Field);
        Assert.Contains("not a number", reasons[5].Reason);
        Assert.Contains("outside the ward by", reasons[6].Reason);
        Assert.Equal("ODT+CLN", await _db.ScalarAsync<string>("SELECT land_use FROM parcels WHERE parcel_no = 7"));
        var run = await _db.ScalarAsync<int>("SELECT rows_rejected FROM import_runs WHERE id = $1", report.RunId);
        Assert.Equal(5, run);
    }

    [Fact]
    public async Task Legacy_land_use_codes_are_converted_the_original_kept_and_reported()
    {
        var path = _files.GeoJson("legacy.geojson", [(ToWgs84(Square(0, 0)), Parcel(1, 1, use: "LNK")), (ToWgs84(Square(20, 0)), Parcel(1, 2, use: "ODT+BHK"))]);
        var report = await Import("parcels", path);
        Assert.Equal(("CLN", "LNK"), (await _db.ScalarAsync<string>("SELECT land_use FROM parcels WHERE parcel_no = 1"),
                                     await _db.ScalarAsync<string>("SELECT land_use_source FROM parcels WHERE parcel_no = 1")));
        Assert.Equal("ODT+HNK", await _db.ScalarAsync<string>("SELECT land_use FROM parcels WHERE parcel_no = 2"));
        Assert.Equal(2, report.Flagged.Count(f => f.Reason.StartsWith("legacy land-use code converted")));
    }

    [Fact]
    public async Task A_declared_area_far_from_the_measured_one_is_flagged_not_overwritten()
    {
        var path = _files.GeoJson("areas.geojson", [(ToWgs84(Square(0, 0)), Parcel(1, 1, area: 100.2)), (ToWgs84(Square(20, 0)), Parcel(1, 2, area: 130.0))]);
        var report = await Import("parcels", path);
        var flag = Assert.Single(report.Flagged);
        Assert.Equal(2, flag.Row);
        Assert.Contains("declared area 130", flag.Reason);
        Assert.Equal(130.0, await _db.ScalarAsync<double>("SELECT declared_area_m2 FROM parcels WHERE parcel_no = 2"));
        Assert.Equal(100.0, await _db.ScalarAsync<double>("SELECT legal_area_m2 FROM parcels WHERE parcel_no = 2"), 1);
    }

    [Fact]
    public async Task A_file_with_no_CRS_and_projected_coordinates_is_refused_and_told_to_pass_srs()
    {
        var path = _files.GeoJson("nocrs.geojson", [(Square(0, 0), Parcel(1, 1))]);
        var e = await Assert.ThrowsAsync<ImportException>(() => Import("parcels", path));
        Assert.Contains("--srs", e.Message);
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
        Assert.Equal("failed", await _db.ScalarAsync<string>("SELECT status FROM import_runs ORDER BY id DESC LIMIT 1"));

        var report = await Import("parcels", path, r => r with { Srs = "EPSG:9210" });
        Assert.Equal(1, report.RowsLoaded);
    }

    [Fact]
    public async Task A_file_in_the_wrong_TM3_zone_is_refused_whole_with_the_zone_it_belongs_to()
    {
        // Coordinates in 9209 declared as 9210 land ~26 km away.
        var square9209 = WardMap.Importers.Crs.CrsRegistry.FromEpsg(9209).FromWgs84(ToWgs84(Square(0, 0)));
        var path = _files.GeoJson("wrongzone.geojson", [(square9209, Parcel(1, 1))], srid: 9210);
        var e = await Assert.ThrowsAsync<ImportException>(() => Import("parcels", path));
        Assert.Contains("EPSG:9209", e.Message);
        Assert.Contains("outside the ward", e.Message);
    }

    [Fact]
    public async Task A_failure_in_the_middle_of_a_load_leaves_the_previous_data_intact_and_the_run_failed()
    {
        await Import("parcels", Repo.SampleSmall("parcels_hai_duong_9209.shp"));
        var before = await _db.ScalarAsync<string>("SELECT md5(string_agg(sheet_no || '/' || parcel_no || ST_AsEWKB(geom)::text, ',' ORDER BY id)) FROM parcels");
        var version = await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'");

        var failing = new Importer(_db.DataSource) { AfterRowStaged = n => n == 150 ? throw new IOException("disk pulled out") : Task.CompletedTask };
        await Assert.ThrowsAsync<IOException>(() => Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"), importer: failing));

        Assert.Equal(before, await _db.ScalarAsync<string>("SELECT md5(string_agg(sheet_no || '/' || parcel_no || ST_AsEWKB(geom)::text, ',' ORDER BY id)) FROM parcels"));
        Assert.Equal(version, await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));
        Assert.Equal("failed", await _db.ScalarAsync<string>("SELECT status FROM import_runs ORDER BY id DESC LIMIT 1"));
        Assert.Contains("disk pulled out", await _db.ScalarAsync<string>("SELECT report->>'error' FROM import_runs ORDER BY id DESC LIMIT 1"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%__load'"));
    }

    [Fact]
    public async Task A_run_left_running_by_a_killed_import_is_marked_failed_by_the_next_one()
    {
        await _db.ExecAsync("INSERT INTO import_runs (layer, file, sha256, status) VALUES ('parcels', 'x.shp', 'abc', 'running')");
        await Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"));
        Assert.Equal("failed", await _db.ScalarAsync<string>("SELECT status FROM import_runs WHERE file = 'x.shp'"));
    }

    [Fact]
    public async Task Re_importing_the_same_file_is_a_no_op_unless_forced()
    {
        var first = await Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"));
        var version = await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'");
        var again = await Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"));
        Assert.Equal("skipped", again.Status);
        Assert.Equal(version, await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));

        var forced = await Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"), r => r with { Force = true });
        Assert.Equal("succeeded", forced.Status);
        Assert.Equal(version + 1, await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));
        Assert.Equal(first.Sha256, forced.Sha256);
    }

    [Fact]
    public async Task Replace_keeps_the_ids_of_parcels_still_in_the_file_and_removes_the_others()
    {
        var a = _files.GeoJson("a.geojson", [(ToWgs84(Square(0, 0)), Parcel(1, 1)), (ToWgs84(Square(20, 0)), Parcel(1, 2)), (ToWgs84(Square(40, 0)), Parcel(1, 3))]);
        await Import("parcels", a);
        var id2 = await _db.ScalarAsync<long>("SELECT id FROM parcels WHERE parcel_no = 2");
        var b = _files.GeoJson("b.geojson", [(ToWgs84(Square(20, 0)), Parcel(1, 2, use: "TMD")), (ToWgs84(Square(60, 0)), Parcel(1, 4))]);

        var report = await Import("parcels", b);

        Assert.Equal(2, report.RowsDeleted);
        Assert.Equal(id2, await _db.ScalarAsync<long>("SELECT id FROM parcels WHERE parcel_no = 2"));
        Assert.Equal("TMD", await _db.ScalarAsync<string>("SELECT land_use FROM parcels WHERE parcel_no = 2"));
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
        Assert.True(await _db.ScalarAsync<long>("SELECT id FROM parcels WHERE parcel_no = 4") > id2);
        // the swapped-in table keeps every index and constraint of the original
        Assert.Equal(4, await _db.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE tablename = 'parcels' AND indexname IN ('parcels_pkey', 'parcels_geom', 'parcels_address', 'parcels_sheet_no_parcel_no_key')"));
        await Assert.ThrowsAsync<PostgresException>(() => _db.ExecAsync("INSERT INTO parcels (sheet_no, parcel_no, land_use, legal_area_m2, source_srid, geom) SELECT 1, 2, 'ODT', 1, 9210, geom FROM parcels LIMIT 1"));
    }

    [Fact]
    public async Task A_layer_in_one_file_per_zone_is_replaced_by_all_of_them_at_once()
    {
        // The merged ward's parcels: Hải Dương's legacy sheets in EPSG:9209 (a shapefile), Hải Phòng's in EPSG:9210.
        string[] both = [Repo.SampleSmall("parcels_hai_duong_9209.shp"), Repo.SampleSmall("parcels_hai_phong_9210.gpkg")];
        var report = await Import("parcels", both[0], r => r with { MoreFiles = [both[1]] });
        Assert.Equal("succeeded", report.Status);
        Assert.Equal(760, report.RowsLoaded);
        Assert.Contains("9209", report.SourceCrs);   // each file in its own zone
        Assert.Contains("9210", report.SourceCrs);
        Assert.Equal(460, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels WHERE source_srid = 9209"));
        Assert.Equal(300, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels WHERE source_srid = 9210"));
        Assert.StartsWith("parcels <- parcels_hai_duong_9209.shp + parcels_hai_phong_9210.gpkg: succeeded", report.Summary());
        Assert.Equal("parcels_hai_duong_9209.shp + parcels_hai_phong_9210.gpkg", await _db.ScalarAsync<string>("SELECT file FROM import_runs WHERE id = $1", report.RunId));
        var version = await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'");

        // Again: the same files are skipped; one of them changed, both are read and nothing is removed.
        Assert.Equal("skipped", (await Import("parcels", both[0], r => r with { MoreFiles = [both[1]] })).Status);
        var again = await Import("parcels", both[0], r => r with { MoreFiles = [both[1]], Force = true });
        Assert.Equal((760, 0), (again.RowsLoaded, again.RowsDeleted));
        Assert.Equal(version + 1, await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));

        // A parcel in both files is one parcel: the second is rejected, naming the file and row of the first.
        var twice = _files.GeoJson("twice.geojson", [(ToWgs84(Square(0, 0)), Parcel(90, 1)), (ToWgs84(Square(20, 0)), Parcel(90, 2))]);
        var clash = _files.GeoJson("clash.geojson", [(ToWgs84(Square(40, 0)), Parcel(90, 2)), (ToWgs84(Square(60, 0)), Parcel(90, 3))]);
        var merged = await Import("parcels", twice, r => r with { MoreFiles = [clash], Force = true });
        var rejected = Assert.Single(merged.Rejected);
        Assert.Equal(("clash.geojson", 1L), (rejected.File, rejected.Row));
        Assert.EndsWith("(first at row 2 of twice.geojson)", rejected.Reason);
        Assert.Equal(3, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
    }

    [Fact]
    public async Task Each_import_keeps_what_it_changed_parcel_by_parcel_and_a_dry_run_says_what_it_would()
    {
        // The sheet as first surveyed: counted, not listed row by row (there was nothing before it).
        var first = await Import("parcels", _files.GeoJson("to1-2024.geojson", [(ToWgs84(Square(0, 0)), Parcel(1, 1)), (ToWgs84(Square(20, 0)), Parcel(1, 2)),
            (ToWgs84(Square(40, 0)), Parcel(1, 3)), (ToWgs84(Square(60, 0)), Parcel(1, 4))]));
        static (long, long, long) Counts(ImportReport r) => (r.Changes!.Added, r.Changes.Changed, r.Changes.Removed);
        Assert.Equal((4, 0, 0), Counts(first));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM layer_changes"));

        // A year on: 1/2 sold and turned into a shop, 1/3 re-surveyed larger, 1/4 merged away, 2/1 new; 1/1 as it was.
        var year = _files.GeoJson("to1-2025.geojson", [(ToWgs84(Square(0, 0)), Parcel(1, 1)), (ToWgs84(Square(20, 0)), Parcel(1, 2, use: "TMD", owner: "Trần Thị Bình")),
            (ToWgs84(Square(40, 0, 12)), Parcel(1, 3)), (ToWgs84(Square(80, 0)), Parcel(2, 1))]);
        var check = await Import("parcels", year, r => r with { DryRun = true });
        Assert.Equal((1, 2, 1), Counts(check));   // what it would do, row by row, and nothing kept
        Assert.Equal(["added 2/1", "changed 1/2", "changed 1/3", "removed 1/4"], check.Changes!.Rows.Select(r => $"{r.Change} {r.Key}"));
        Assert.Equal(["land_use", "owner_name"], check.Changes.Rows[1].Fields.Order());
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM layer_changes"));
        var run = await Import("parcels", year);
        Assert.Equal((1, 2, 1), Counts(run));
        var changes = await _db.ScalarAsync<string>("""
            SELECT json_object_agg(natural_key, json_build_object('change', change, 'fields', fields, 'before', before, 'after', after))::text
            FROM layer_changes WHERE run_id = $1 AND layer = 'parcels'
            """, run.RunId);
        using var doc = System.Text.Json.JsonDocument.Parse(changes);
        var byKey = doc.RootElement;
        Assert.Equal(["1/2", "1/3", "1/4", "2/1"], byKey.EnumerateObject().Select(p => p.Name).Order());   // 1/1 did not change
        var sold = byKey.GetProperty("1/2");
        Assert.Equal("changed", sold.GetProperty("change").GetString());
        Assert.Equal(["land_use", "owner_name"], sold.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).Order());
        Assert.Equal("ODT", sold.GetProperty("before").GetProperty("land_use").GetString());
        Assert.Equal("TMD", sold.GetProperty("after").GetProperty("land_use").GetString());
        Assert.Equal("Trần Thị Bình", sold.GetProperty("after").GetProperty("owner_name").GetString());
        Assert.Equal(["geom", "legal_area_m2"], byKey.GetProperty("1/3").GetProperty("fields").EnumerateArray().Select(f => f.GetString()).Order());
        Assert.Equal("removed", byKey.GetProperty("1/4").GetProperty("change").GetString());
        Assert.Equal("ODT", byKey.GetProperty("1/4").GetProperty("before").GetProperty("land_use").GetString());   // what it was
        Assert.Equal("added", byKey.GetProperty("2/1").GetProperty("change").GetString());

        // An update by key changes only what it names, and never removes.
        var back = await Import("parcels", _files.GeoJson("to1-fix.geojson", [(ToWgs84(Square(20, 0)), Parcel(1, 2))]), r => r with { Upsert = true });
        Assert.Equal((0, 1, 0), Counts(back));
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT count(*) FROM layer_changes WHERE natural_key = '1/2'"));
    }

    [Fact]
    public async Task An_update_by_key_changes_the_columns_its_file_has_and_keeps_the_others()
    {
        // The cadastre: each parcel with its address and certificate. Then the registry's list of new owners, which
        // has neither: the addresses and certificates stay, the owners change, and only the owners are recorded.
        static object Full(int no, string owner) => new Dictionary<string, object?>
            { ["SoTo"] = 3, ["SoThua"] = no, ["LoaiDat"] = "ODT", ["DienTich"] = 100.0, ["TenChu"] = owner, ["DiaChi"] = $"{no} Phố Huế", ["SoGCN"] = $"CS 0{no}" };
        await Import("parcels", _files.GeoJson("to3.geojson", [(ToWgs84(Square(0, 0)), Full(1, "Nguyễn Văn An")), (ToWgs84(Square(20, 0)), Full(2, "Lê Thị Hoa"))]));
        var owners = _files.GeoJson("chu-moi.geojson", [(ToWgs84(Square(0, 0)), Parcel(3, 1, owner: "Phạm Minh Đức"))]);
        var run = await Import("parcels", owners, r => r with { Upsert = true });
        Assert.Equal(("Phạm Minh Đức", "1 Phố Huế", "CS 01"), (
            await _db.ScalarAsync<string>("SELECT owner_name FROM parcels WHERE sheet_no = 3 AND parcel_no = 1"),
            await _db.ScalarAsync<string>("SELECT address FROM parcels WHERE sheet_no = 3 AND parcel_no = 1"),
            await _db.ScalarAsync<string>("SELECT certificate_no FROM parcels WHERE sheet_no = 3 AND parcel_no = 1")));
        var change = Assert.Single(run.Changes!.Rows);
        Assert.Equal(("3/1", "changed", "owner_name"), (change.Key, change.Change, string.Join(",", change.Fields)));

        // Two files in one update, one with addresses and one without: each row gets only what its own file has.
        var renumbered = new Dictionary<string, object?>((Dictionary<string, object?>)Full(1, "Phạm Minh Đức")) { ["DiaChi"] = "1A Phố Huế" };
        var both = await Import("parcels", _files.GeoJson("dia-chi.geojson", [(ToWgs84(Square(0, 0)), renumbered)]), r => r with
        {
            Upsert = true, MoreFiles = [_files.GeoJson("chu-moi-2.geojson", [(ToWgs84(Square(20, 0)), Parcel(3, 2, owner: "Vũ Thị Lan"))])],
        });
        Assert.Equal(("1A Phố Huế", "2 Phố Huế", "Vũ Thị Lan"), (
            await _db.ScalarAsync<string>("SELECT address FROM parcels WHERE sheet_no = 3 AND parcel_no = 1"),
            await _db.ScalarAsync<string>("SELECT address FROM parcels WHERE sheet_no = 3 AND parcel_no = 2"),
            await _db.ScalarAsync<string>("SELECT owner_name FROM parcels WHERE sheet_no = 3 AND parcel_no = 2")));
        Assert.Equal(["3/1 address", "3/2 owner_name"], both.Changes!.Rows.Select(r => $"{r.Key} {string.Join(",", r.Fields)}"));
    }

    [Fact]
    public async Task A_parcel_updated_from_a_lon_lat_file_is_still_measured_in_the_zone_it_was_surveyed_in()
    {
        // Hải Dương's sheets, surveyed in 105°30' (EPSG:9209); the ward's own zone is 105°45' (9210).
        await Import("parcels", Repo.SampleSmall("parcels_hai_duong_9209.shp"));
        var id = await _db.ScalarAsync<long>("SELECT id FROM parcels ORDER BY id LIMIT 1 OFFSET 3");
        var area = await _db.ScalarAsync<decimal>("SELECT legal_area_m2 FROM parcels WHERE id = $1", id);
        // Its new owner, from a GIS export in lon/lat (the shape as it is), beside a parcel new to the map.
        var export = await _db.ScalarAsync<string>("""
            SELECT json_build_object('type', 'FeatureCollection', 'features', json_build_array(json_build_object('type', 'Feature',
              'geometry', ST_AsGeoJSON(geom, 15)::json,
              'properties', json_build_object('SoTo', sheet_no, 'SoThua', parcel_no, 'LoaiDat', land_use, 'TenChu', 'Đỗ Văn Mới'))))::text
            FROM parcels WHERE id = $1
            """, id);
        var file = _files.Text("chu-moi-wgs84.geojson", export);
        var run = await Import("parcels", file, r => r with { Upsert = true });
        Assert.Equal(0, run.RowsRejected);
        Assert.Equal((9209, area), (await _db.ScalarAsync<int>("SELECT source_srid FROM parcels WHERE id = $1", id),
                                    await _db.ScalarAsync<decimal>("SELECT legal_area_m2 FROM parcels WHERE id = $1", id)));
        Assert.Equal("owner_name", string.Join(",", Assert.Single(run.Changes!.Rows).Fields));   // no area, no zone moved
        // A parcel that is new to the map has no zone of its own yet: the ward's.
        await Import("parcels", _files.GeoJson("thua-moi.geojson", [(ToWgs84(Square(0, 0)), Parcel(95, 1))]), r => r with { Upsert = true });
        Assert.Equal(9210, await _db.ScalarAsync<int>("SELECT source_srid FROM parcels WHERE sheet_no = 95 AND parcel_no = 1"));
    }

    [Fact]
    public async Task A_file_that_would_remove_most_of_a_layer_is_refused_until_forced_and_the_layer_stays()
    {
        // The ward's 460 parcels of Hải Dương's sheets, then one new sheet's two parcels imported as if they were all.
        await Import("parcels", Repo.SampleSmall("parcels_hai_duong_9209.shp"));
        var version = await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'");
        var sheet = _files.GeoJson("new-sheet.geojson", [(ToWgs84(Square(0, 0)), Parcel(90, 1)), (ToWgs84(Square(20, 0)), Parcel(90, 2))]);

        var e = await Assert.ThrowsAsync<ImportException>(() => Import("parcels", sheet));
        Assert.Equal("new-sheet.geojson: its 2 rows would replace the 460 of parcels and remove the 460 (100 %) it does not have. " +
            "If the file is the whole layer, import it with --force; to add or update rows and keep the others, with --upsert " +
            "(through the API: force=true, upsert=true)", e.Describe().En);
        Assert.Equal(460, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
        Assert.Equal(version, await _db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));
        Assert.Equal("failed", await _db.ScalarAsync<string>("SELECT status FROM import_runs ORDER BY id DESC LIMIT 1"));
        // Checked first (a dry run), the report says the import would be refused, beside whatever else it found.
        var check = await Import("parcels", sheet, r => r with { DryRun = true });
        Assert.Equal("dry_run", check.Status);
        Assert.Contains(check.Notes, n => n.En.StartsWith("an import of this file would be refused: its 2 rows would replace the 460 of parcels"));
        Assert.Equal(460, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));

        // What the officer meant: the new sheet added to the others; or, said so, the layer replaced.
        Assert.Equal(0, (await Import("parcels", sheet, r => r with { Upsert = true })).RowsDeleted);
        Assert.Equal(462, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
        Assert.Equal(460, (await Import("parcels", sheet, r => r with { Force = true })).RowsDeleted);
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
    }

    [Fact]
    public async Task A_mapping_file_names_the_fields_a_surveyor_called_otherwise()
    {
        var path = _files.GeoJson("custom.geojson", [(ToWgs84(Square(0, 0)), new { TO_SO = 7, THUA_SO = 9, KH = "ONT", CHU = "Lê Thị Hoa" })]);
        var mapping = _files.Text("m.json", """{"fields": {"sheet_no": "TO_SO", "parcel_no": "THUA_SO", "land_use": "KH", "owner_name": "CHU"}}""");
        var report = await Import("parcels", path, r => r with { MappingFile = mapping });
        Assert.Equal(1, report.RowsLoaded);
        Assert.Equal("TO_SO", report.FieldMapping["sheet_no"]);
        Assert.Equal("Lê Thị Hoa", await _db.ScalarAsync<string>("SELECT owner_name FROM parcels WHERE sheet_no = 7 AND parcel_no = 9"));

        var bad = _files.Text("bad.json", """{"fields": {"sheet_no": "NOPE"}}""");
        var e = await Assert.ThrowsAsync<ImportException>(() => Import("parcels", path, r => r with { MappingFile = bad, Force = true }));
        Assert.Contains("NOPE", e.Message);
        Assert.Equal("sheet_no", e.Field);
        var missing = await Assert.ThrowsAsync<ImportException>(() => Import("parcels", path, r => r with { Force = true }));
        Assert.Contains("no source field for sheet_no", missing.Message);
    }

    [Fact]
    public async Task Groups_take_population_and_households_from_the_CSV_by_code()
    {
        var report = await Import("groups", Repo.SampleSmall("residential_groups.geojson"), r => r with { PopulationCsv = Repo.SampleSmall("population.csv") });
        var csv = File.ReadAllLines(Repo.SampleSmall("population.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(csv.Count, report.RowsLoaded);
        foreach (var row in csv)
            Assert.Equal(int.Parse(row[1]), await _db.ScalarAsync<int>("SELECT population FROM residential_groups WHERE code = $1", row[0]));
    }

    [Theory]
    [InlineData("MaTo,DanSo,SoHo\nTDP03,107,30\nTDP07\n", "row 3: 1 column where the header has 3")]
    [InlineData("MaTo,DanSo,SoHo\nTDP03,107,30\nTDP07,91,26,x\n", "row 3: 4 columns where the header has 3")]
    [InlineData("MaTo,DanSo,SoHo\nTDP03,107,30\nTDP03,110,31\n", "row 3, field MaTo: group TDP03 is already at row 2")]
    [InlineData("MaTo,DanSo,SoHo\nTDP03,mười,30\n", "row 2, field DanSo: 'mười' is not a non-negative whole number")]
    public async Task A_bad_population_CSV_stops_the_import_naming_its_row_and_keeps_the_groups(string text, string expected)
    {
        await Import("groups", Repo.SampleSmall("residential_groups.geojson"), r => r with { PopulationCsv = Repo.SampleSmall("population.csv") });
        var before = await _db.ScalarAsync<long>("SELECT sum(population) FROM residential_groups");
        var csv = _files.Text("population.csv", text);
        var e = await Assert.ThrowsAsync<ImportException>(() => Import("groups", Repo.SampleSmall("residential_groups.geojson"), r => r with { PopulationCsv = csv, Force = true }));
        Assert.StartsWith($"population.csv, {expected}", e.Describe().En);
        Assert.Equal(before, await _db.ScalarAsync<long>("SELECT sum(population) FROM residential_groups"));
    }

    [Fact]
    public async Task CSV_assets_with_lon_lat_keep_their_other_columns_as_attributes()
    {
        var report = await Import("assets", Repo.SampleSmall("assets_points.csv"));
        Assert.Equal(0, report.RowsRejected);
        Assert.Equal(42, await _db.ScalarAsync<long>("SELECT count(*) FROM assets WHERE kind = 'loudspeaker'"));
        Assert.Equal(9, await _db.ScalarAsync<long>("SELECT count(*) FROM assets WHERE kind = 'school'"));
        Assert.StartsWith("pupils=", await _db.ScalarAsync<string>("SELECT attributes->>'details' FROM assets WHERE kind = 'school' LIMIT 1"));
    }

    [Fact]
    public async Task CSV_rows_with_too_few_or_too_many_columns_are_rejected_naming_the_row()
    {
        var csv = _files.Text("short.csv", """
            kind,code,name,status,lon,lat
            light,DEN-1,Đèn 1,active,106.2877628,20.9233336
            light,DEN-2,Đèn 2
            light,DEN-3,Đèn 3, Phố Huế,active,106.2881474,20.9233324
            camera,CAM-1,"Camera 1, cổng trường",active,106.2885,20.9234
            """);
        var report = await Import("assets", csv);
        Assert.Equal(2, report.RowsLoaded);
        var reasons = report.Rejected.ToDictionary(r => r.Row, r => r.Reason);
        Assert.Equal("3 columns where the header has 6", reasons[2]);
        Assert.Equal("7 columns where the header has 6 (a value with a comma in it needs double quotes)", reasons[3]);
        Assert.Equal("Camera 1, cổng trường", await _db.ScalarAsync<string>("SELECT name FROM assets WHERE code = 'CAM-1'"));
    }

    [Fact]
    public async Task Surveyor_XY_columns_are_read_as_northing_easting_and_said_so()
    {
        var (e, n) = WardCentre9210;
        var csv = _files.Text("xy.csv", $"kind,code,name,X,Y\nĐèn chiếu sáng,DEN-1,Đèn 1,{Num(n)},{Num(e)}\ncamera,CAM-1,Camera 1,{Num(n + 10)},{Num(e + 10)}\n");
        var report = await Import("assets", csv, r => r with { Srs = "EPSG:9210" });
        Assert.Equal(2, report.RowsLoaded);
        Assert.Contains(report.Notes, x => x.En.Contains("northing, easting"));
        var metres = await _db.ScalarAsync<double>("SELECT ST_Distance(ST_Transform(geom, 9210), ST_SetSRID(ST_MakePoint($1, $2), 9210)) FROM assets WHERE code = 'DEN-1'", e, n);
        Assert.True(metres < 0.01);
        Assert.Equal("light", await _db.ScalarAsync<string>("SELECT kind FROM assets WHERE code = 'DEN-1'"));
    }

    [Fact]
    public async Task A_shapefile_cut_short_stops_the_import_naming_the_row_and_keeps_the_parcels()
    {
        await Import("parcels", Repo.SampleSmall("parcels_hai_duong_9209.shp"));
        var before = await _db.ScalarAsync<long>("SELECT count(*) FROM parcels");
        var sample = Repo.SampleSmall("parcels_hai_duong_9209.shp");
        foreach (var part in Directory.GetFiles(Path.GetDirectoryName(sample)!, "parcels_hai_duong_9209.*"))
            File.Copy(part, Path.Combine(_files.Dir, "cut" + Path.GetExtension(part)));
        var cut = Path.Combine(_files.Dir, "cut.shp");
        using (var f = File.OpenWrite(cut)) f.SetLength(1000);   // a copy that stopped part way (the .shx still lists every record)
        var e = await Assert.ThrowsAsync<ImportException>(() => Import("parcels", cut));
        Assert.Matches(@"^cut\.shp, row \d+: the shapefile is damaged here", e.Describe().En);
        Assert.Equal(before, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
    }

    [Fact]
    public async Task A_VNI_shapefile_with_no_cpg_is_detected_and_decoded()
    {
        var path = Path.Combine(_files.Dir, "vni.shp");
        Writers.Shapefile(path, Writers.EsriPrj(105.75), [new("SoTo", typeof(int)), new("SoThua", typeof(int)), new("MDSD", typeof(string)), new("TenChu", typeof(string))],
            Enumerable.Range(1, 12).Select(i => ((NetTopologySuite.Geometries.Geometry)Square(i * 15, 0), new object?[] { 1, i, "ODT", $"Trần Thị Hương {i}, tổ dân phố Đông" })).ToList(),
            Writers.TextEncoding.Vni);
        var report = await Import("parcels", path);
        Assert.Contains(report.Notes, x => x.En.Contains("Vni"));
        Assert.Equal("Trần Thị Hương 3, tổ dân phố Đông", await _db.ScalarAsync<string>("SELECT owner_name FROM parcels WHERE parcel_no = 3"));
    }

    [Fact]
    public async Task A_dry_run_reports_everything_and_changes_nothing()
    {
        var report = await Import("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg"), r => r with { DryRun = true });
        Assert.Equal("dry_run", report.Status);
        Assert.Equal(300, report.RowsLoaded);
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
    }

    [Fact]
    public async Task Every_sample_layer_imports_without_rejections()
    {
        foreach (var (layer, file) in new[] { ("zones", "zones.gpkg"), ("red_lines", "red_lines.geojson"), ("roads", "roads.geojson"), ("assets", "assets_lines.geojson") })
        {
            var report = await Import(layer, Repo.SampleSmall(file));
            Assert.True(report.RowsRejected == 0, $"{layer}: {string.Join("; ", report.Rejected.Select(r => r.Reason))}");
            Assert.True(report.RowsLoaded > 0);
        }
        Assert.True(await _db.ScalarAsync<long>("SELECT count(*) FROM zones WHERE max_density_pct IS NOT NULL") > 0);
        Assert.True(await _db.ScalarAsync<long>("SELECT count(*) FROM red_lines WHERE kind = 'road_widening'") == 1);
    }

    [Fact]
    public async Task The_CLI_names_the_file_row_and_field_of_what_stopped_it_and_exits_1()
    {
        var path = _files.GeoJson("nocrs.geojson", [(Square(0, 0), Parcel(1, 1))]);
        var output = new StringWriter();
        var code = await ImportCommand.RunAsync(_db.DataSource, ["parcels", path, "--quiet", "--report", Path.Combine(_files.Dir, "r.json")], output);
        Assert.Equal(1, code);
        Assert.Contains("nocrs.geojson, row 1, field geometry:", output.ToString());
        Assert.Contains("the layer keeps its previous data", output.ToString());

        var ok = await ImportCommand.RunAsync(_db.DataSource, ["parcels", path, "--srs", "EPSG:9210", "--report", Path.Combine(_files.Dir, "r.json")], output);
        Assert.Equal(0, ok);
        Assert.Contains("\"rows_loaded\": 1", File.ReadAllText(Path.Combine(_files.Dir, "r.json")));
    }
}
