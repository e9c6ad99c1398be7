using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using WardMap.Importers;
using WardMap.TestSupport;

namespace WardMap.Tiles.Tests;

/// <summary>Tiles from the real server over the small sample ward, decoded and checked against PostGIS.</summary>
public sealed class TileTests : IAsyncLifetime
{
    RunningServer _server = null!;
    (int X, int Y) _z16;   // the z16 tile at the centre of the sample ward

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        await _server.LoadSmallSampleAsync();
        var (lon, lat) = await CentreAsync();
        _z16 = TileOf(lon, lat, 16);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    async Task<(double, double)> CentreAsync()
    {
        var lon = await _server.Db.ScalarAsync<double>("SELECT ST_X(ST_Centroid(ST_Union(geom))) FROM parcels");
        var lat = await _server.Db.ScalarAsync<double>("SELECT ST_Y(ST_Centroid(ST_Union(geom))) FROM parcels");
        return (lon, lat);
    }

    static (int X, int Y) TileOf(double lon, double lat, int z) => WardExtent.TileOf(lon, lat, z);

    static Dictionary<string, List<IFeature>> Decode(byte[] mvt, int z, int x, int y)
    {
        var tile = new MapboxTileReader().Read(new MemoryStream(mvt), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(x, y, z), "fid");
        return tile.Layers.ToDictionary(l => l.Name, l => l.Features.ToList());
    }

    async Task<(HttpResponseMessage Response, byte[] Body)> Get(string path, string? key = null, string? ifNoneMatch = null)
    {
        var client = _server.Client(key);
        var req = new HttpRequestMessage(HttpMethod.Get, path);
        req.Headers.AcceptEncoding.ParseAdd("gzip");
        if (ifNoneMatch is not null) req.Headers.IfNoneMatch.ParseAdd(ifNoneMatch);
        var r = await client.SendAsync(req);
        var body = await r.Content.ReadAsByteArrayAsync();
        if (r.Content.Headers.ContentEncoding.Contains("gzip")) body = TileService.Gunzip(body);
        return (r, body);
    }

    [Fact]
    public async Task A_composite_tile_holds_one_MVT_layer_per_source_layer_with_database_ids()
    {
        var (r, body) = await Get($"/tiles/parcels,roads,zones/16/{_z16.X}/{_z16.Y}.mvt");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("gzip", r.Content.Headers.ContentEncoding);
        // A client that does not take gzip, or refuses it by weight, gets the same tile plain.
        foreach (var refusing in new[] { null, "gzip;q=0, identity", "br" })
        {
            var plain = new HttpRequestMessage(HttpMethod.Get, $"/tiles/parcels,roads,zones/16/{_z16.X}/{_z16.Y}.mvt");
            if (refusing is not null) plain.Headers.TryAddWithoutValidation("Accept-Encoding", refusing);
            var answer = await _server.Client().SendAsync(plain);
            Assert.Empty(answer.Content.Headers.ContentEncoding);
            Assert.Equal(body, await answer.Content.ReadAsByteArrayAsync());
            // Its own ETag (another representation): a 304 for it, never for the gzip copy's.
            Assert.NotEqual(r.Headers.ETag!.Tag, answer.Headers.ETag!.Tag);
            foreach (var (tag, status) in new[] { (answer.Headers.ETag!.Tag, HttpStatusCode.NotModified), (r.Headers.ETag!.Tag, HttpStatusCode.OK) })
            {
                var again = new HttpRequestMessage(HttpMethod.Get, $"/tiles/parcels,roads,zones/16/{_z16.X}/{_z16.Y}.mvt");
                if (refusing is not null) again.Headers.TryAddWithoutValidation("Accept-Encoding", refusing);
                again.Headers.IfNoneMatch.ParseAdd(tag);
                Assert.Equal(status, (await _server.Client().SendAsync(again)).StatusCode);
            }
        }
        var layers = Decode(body, 16, _z16.X, _z16.Y);
        Assert.Equal(["parcels", "roads", "zones"], layers.Keys.Order().ToArray());

        // Every parcel feature is the database row with that id: same sheet/parcel, its centroid near the decoded one.
        Assert.True(layers["parcels"].Count > 20);
        foreach (var f in layers["parcels"].Take(40))
        {
            var id = Convert.ToInt64(f.Attributes["fid"]);
            Assert.Equal(await _server.Db.ScalarAsync<int>("SELECT parcel_no FROM parcels WHERE id = $1", id), Convert.ToInt32(f.Attributes["parcel_no"]));
            Assert.Equal(await _server.Db.ScalarAsync<string>("SELECT land_use FROM parcels WHERE id = $1", id), f.Attributes["land_use"]);
        }
        var inside = layers["parcels"].First(f => f.Geometry.Area > 0 && f.Geometry.IsValid);
        var distance = await _server.Db.ScalarAsync<double>(
            "SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) FROM parcels WHERE id = $3",
            inside.Geometry.InteriorPoint.X, inside.Geometry.InteriorPoint.Y, Convert.ToInt64(inside.Attributes["fid"]));
        Assert.True(distance < 1.0, $"decoded parcel lies {distance:0.00} m from its row");
    }

    [Fact]
    public async Task Attributes_follow_the_zoom_rules()
    {
        var (x15, y15) = TileOf(await _server.Db.ScalarAsync<double>("SELECT ST_X(ST_Centroid(ST_Union(geom))) FROM parcels"),
                                await _server.Db.ScalarAsync<double>("SELECT ST_Y(ST_Centroid(ST_Union(geom))) FROM parcels"), 15);
        var z15 = Decode((await Get($"/tiles/parcels/15/{x15}/{y15}.mvt")).Body, 15, x15, y15)["parcels"];
        Assert.All(z15, f => Assert.Equal(["fid", "land_use"], f.Attributes.GetNames().Order().ToArray()));
        var z16 = Decode((await Get($"/tiles/parcels/16/{_z16.X}/{_z16.Y}.mvt")).Body, 16, _z16.X, _z16.Y)["parcels"];
        Assert.Contains(z16, f => f.Attributes.Exists("legal_area_m2") && f.Attributes.Exists("sheet_no"));
        Assert.DoesNotContain(z16, f => f.Attributes.Exists("address"));   // from z17
        Assert.Equal(HttpStatusCode.NoContent, (await Get($"/tiles/parcels/14/{x15 / 2}/{y15 / 2}.mvt")).Response.StatusCode);   // below the layer's minzoom
    }

    [Theory]
    [InlineData("residential_groups", "groups", "group_labels", "code", "code", 15)]
    [InlineData("zones", "zones", "zone_labels", "zone_code", "zone_code", 15)]
    [InlineData("parcels", "parcels", "parcel_labels", "id", "fid", 17)]   // fid: the feature id, as the reader names it
    public async Task Each_group_zone_and_parcel_has_one_label_point_across_the_wards_tiles(string table, string polygons, string points, string column, string key, int z)
    {
        // The polygons cross tile edges (MapLibre would label each piece); their label points lie in one tile each.
        var extent = await _server.Db.ScalarAsync<string>($"SELECT concat_ws(',', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM (SELECT ST_Extent(geom)::geometry e FROM {table}) x");
        var b = extent.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (x0, y1) = TileOf(b[0], b[1], z);
        var (x1, y0) = TileOf(b[2], b[3], z);
        var labels = new List<(string Code, Point At)>();
        int tilesWithPieces = 0;
        for (int x = x0; x <= x1; x++)
            for (int y = y0; y <= y1; y++)
            {
                var (r, body) = await Get($"/tiles/{polygons},{points}/{z}/{x}/{y}.mvt");
                if (r.StatusCode == HttpStatusCode.NoContent) continue;
                var layers = Decode(body, z, x, y);
                tilesWithPieces += layers.GetValueOrDefault(polygons)?.Count ?? 0;
                // A point in the tile's buffer belongs to its neighbour: count only those inside the tile itself.
                double n = 1 << z, west = x / n * 360 - 180, east = (x + 1) / n * 360 - 180;
                double north = Math.Atan(Math.Sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI, south = Math.Atan(Math.Sinh(Math.PI * (1 - 2 * (y + 1) / n))) * 180 / Math.PI;
                labels.AddRange((layers.GetValueOrDefault(points) ?? [])
                    .Where(f => f.Geometry is Point p && p.X >= west && p.X < east && p.Y > south && p.Y <= north)
                    .Select(f => (Convert.ToString(f.Attributes[key], System.Globalization.CultureInfo.InvariantCulture)!, (Point)f.Geometry)));
            }
        var count = await _server.Db.ScalarAsync<long>($"SELECT count(*) FROM {table}");
        Assert.True(tilesWithPieces > count, $"the sample's {table} should cross tile edges, or this test shows nothing");
        Assert.Equal(count, labels.Count);
        Assert.Equal(labels.Count, labels.Select(l => l.Code).Distinct().Count());
        // Each decoded point lies inside its own polygon (within the tile grid's rounding, ~1 m at z15).
        foreach (var (code, at) in labels)
            Assert.True(await _server.Db.ScalarAsync<bool>(
                $"SELECT ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, 2) FROM {table} WHERE {column}::text = $1", code, at.X, at.Y), code);
    }

    [Fact]
    public async Task Public_tiles_never_carry_personal_data_and_the_officer_variant_needs_an_officer()
    {
        for (int z = 15; z <= 18; z++)
        {
            var (x, y) = TileOf(await _server.Db.ScalarAsync<double>("SELECT ST_X(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1"),
                                await _server.Db.ScalarAsync<double>("SELECT ST_Y(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1"), z);
            var body = (await Get($"/tiles/parcels/{z}/{x}/{y}.mvt")).Body;
            var raw = System.Text.Encoding.UTF8.GetString(body);
            Assert.DoesNotContain("owner", raw);
            Assert.DoesNotContain("certificate", raw);
            Assert.All(Decode(body, z, x, y).GetValueOrDefault("parcels") ?? [], f => Assert.False(f.Attributes.Exists("owner_name")));
        }
        var officer = await _server.KeyAsync("officer");
        var (r, officerBody) = await Get($"/tiles/parcels/16/{_z16.X}/{_z16.Y}.mvt?variant=officer", officer);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("private", r.Headers.CacheControl?.ToString());
        Assert.Contains(Decode(officerBody, 16, _z16.X, _z16.Y)["parcels"], f => f.Attributes.Exists("owner_name"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Get($"/tiles/parcels/16/{_z16.X}/{_z16.Y}.mvt?variant=officer", await _server.KeyAsync("planner"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"/tiles/parcels/16/{_z16.X}/{_z16.Y}.mvt?variant=officer")).Response.StatusCode);
    }

    [Fact]
    public async Task Cache_hits_304s_and_an_import_invalidates_exactly_its_layer()
    {
        var parcels = $"/tiles/parcels/16/{_z16.X}/{_z16.Y}.mvt";
        var roads = $"/tiles/roads/16/{_z16.X}/{_z16.Y}.mvt";
        var first = await Get(parcels);
        Assert.Equal("miss", first.Response.Headers.GetValues("X-Tile-Cache").Single());
        Assert.Equal("hit", (await Get(parcels)).Response.Headers.GetValues("X-Tile-Cache").Single());
        await Get(roads);
        var etag = first.Response.Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.NotModified, (await Get(parcels, ifNoneMatch: etag)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await Get(parcels, ifNoneMatch: $"W/{etag}")).Response.StatusCode);   // weakened by a CDN
        // The same tile under pg_tileserv's extension (.pbf), from the same cache entry.
        var pbf = await Get(parcels.Replace(".mvt", ".pbf"));
        Assert.Equal("hit", pbf.Response.Headers.GetValues("X-Tile-Cache").Single());
        Assert.Equal(etag, pbf.Response.Headers.ETag!.Tag);
        Assert.Equal(first.Body, pbf.Body);

        // Re-import the GeoPackage half with one parcel's land use changed: new ETag, rebuilt tile; roads untouched.
        await new Importer(_server.Db.DataSource).RunAsync(new ImportRequest("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg")) { Upsert = true, Force = true });
        var deadline = Stopwatch.StartNew();
        (HttpResponseMessage Response, byte[] Body) after;
        do after = await Get(parcels); while (after.Response.Headers.ETag!.Tag == etag && deadline.Elapsed < TimeSpan.FromSeconds(10));
        Assert.NotEqual(etag, after.Response.Headers.ETag!.Tag);
        Assert.Equal("miss", after.Response.Headers.GetValues("X-Tile-Cache").Single());
        Assert.Equal(HttpStatusCode.OK, (await Get(parcels, ifNoneMatch: etag)).Response.StatusCode);
        Assert.Equal("hit", (await Get(roads)).Response.Headers.GetValues("X-Tile-Cache").Single());
    }

    [Fact]
    public async Task An_edit_made_straight_in_PostGIS_as_QGIS_makes_it_invalidates_that_layers_tiles()
    {
        var path = $"/tiles/parcels/16/{_z16.X}/{_z16.Y}.mvt";
        var roads = $"/tiles/roads/16/{_z16.X}/{_z16.Y}.mvt";
        var before = await Get(path);
        await Get(roads);
        var feature = Decode(before.Body, 16, _z16.X, _z16.Y)["parcels"].First(f => (string)f.Attributes["land_use"] != "SKC");
        var id = Convert.ToInt64(feature.Attributes["fid"]);
        var etag = before.Response.Headers.ETag!.Tag;
        var version = await _server.Db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'");

        // An officer corrects one parcel's land use in QGIS: one UPDATE, committed; no WardMap code involved. (The
        // sample was loaded by replacing imports, which swap in a new table: its triggers came along.)
        await _server.Db.ExecAsync("UPDATE parcels SET land_use = 'SKC' WHERE id = $1", id);
        Assert.Equal(version + 1, await _server.Db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));
        (HttpResponseMessage Response, byte[] Body) after;
        var deadline = Stopwatch.StartNew();
        do after = await Get(path); while (after.Response.Headers.ETag!.Tag == etag && deadline.Elapsed < TimeSpan.FromSeconds(10));
        Assert.NotEqual(etag, after.Response.Headers.ETag!.Tag);
        Assert.Equal("SKC", Decode(after.Body, 16, _z16.X, _z16.Y)["parcels"].Single(f => Convert.ToInt64(f.Attributes["fid"]) == id).Attributes["land_use"]);
        Assert.Equal("hit", (await Get(roads)).Response.Headers.GetValues("X-Tile-Cache").Single());

        // Two statements in one transaction are one change: the version moves once.
        await using (var conn = await _server.Db.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            foreach (var sql in new[] { "UPDATE parcels SET address = address WHERE id = $1", "DELETE FROM parcels WHERE id = $1" })
                await new Npgsql.NpgsqlCommand(sql, conn, tx) { Parameters = { new() { Value = id } } }.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        Assert.Equal(version + 2, await _server.Db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'parcels'"));
        // The groups' residential area, which the importer derives after each parcels import, is not a change of the groups' layer.
        var groups = await _server.Db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'residential_groups'");
        await _server.Db.ExecAsync("SELECT wm_refresh_group_residential_area()");
        Assert.Equal(groups, await _server.Db.ScalarAsync<long>("SELECT version FROM layer_versions WHERE layer = 'residential_groups'"));
    }

    /// <summary>A resident's report at the ward's centre, sent through the API; its id.</summary>
    async Task<string> ReportAtCentreAsync(string category)
    {
        var (lon, lat) = await CentreAsync();
        var posted = await _server.Client().PostAsJsonAsync("/api/reports", new { category, lon, lat });
        posted.EnsureSuccessStatusCode();
        return (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>The z16 report tile at the centre, and in it that report (null until the server has heard of it).</summary>
    async Task<((HttpResponseMessage Response, byte[] Body) Tile, IFeature? Report)> ReportTileAsync(string report)
    {
        var tile = await Get($"/tiles/field_reports/16/{_z16.X}/{_z16.Y}.mvt");
        return (tile, Decode(tile.Body, 16, _z16.X, _z16.Y).GetValueOrDefault("field_reports")?.SingleOrDefault(f => (string)f.Attributes["public_id"] == report));
    }

    [Fact]
    public async Task A_report_moved_straight_in_PostGIS_moves_on_the_report_tiles()
    {
        var report = await ReportAtCentreAsync("pothole");
        var waited = Stopwatch.StartNew();   // the report's own notification reaches the server first
        var before = await ReportTileAsync(report);
        while (before.Report is null && waited.Elapsed < TimeSpan.FromSeconds(5)) before = await ReportTileAsync(report);
        var at = (Point)before.Report!.Geometry;

        // An officer drags the misplaced report 20 m east in QGIS: one UPDATE, no history row, no WardMap code.
        await _server.Db.ExecAsync($"UPDATE field_reports SET location = ST_Translate(location, 0.0002, 0) WHERE public_id = '{report}'");
        var etag = before.Tile.Response.Headers.ETag!.Tag;
        waited.Restart();
        var after = await ReportTileAsync(report);
        while (after.Tile.Response.Headers.ETag!.Tag == etag && waited.Elapsed < TimeSpan.FromSeconds(3)) after = await ReportTileAsync(report);
        Assert.NotEqual(etag, after.Tile.Response.Headers.ETag!.Tag);
        Assert.True(after.Report!.Geometry.Coordinate.X > at.X + 0.0001, $"{after.Report.Geometry} should be east of {at}");
    }

    [Fact]
    public async Task A_report_is_ringed_as_overdue_on_the_IOC_map_once_its_deadline_passes_with_no_edit_to_it()
    {
        var report = await ReportAtCentreAsync("rubbish");
        // Its time to be acknowledged runs out in two seconds (working hours, made short); the server looks at the table.
        await _server.Db.ExecAsync($"UPDATE field_reports SET accept_due_at = now() + interval '2 seconds' WHERE public_id = '{report}'");
        var watcher = _server.App.Services.GetRequiredService<LayerVersionWatcher>();
        await watcher.RefreshAsync(default);
        var before = await ReportTileAsync(report);
        Assert.False(before.Report!.Attributes.Exists("overdue"));
        Assert.Equal("hit", (await ReportTileAsync(report)).Tile.Response.Headers.GetValues("X-Tile-Cache").Single());

        // Nothing is written when the deadline passes; the server's next look at the table (every few seconds) sees it.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await watcher.RefreshAsync(default);
        var after = await ReportTileAsync(report);
        Assert.NotEqual(before.Tile.Response.Headers.ETag!.Tag, after.Tile.Response.Headers.ETag!.Tag);
        Assert.Equal("acceptance", after.Report!.Attributes["overdue"]);

        // The IOC style rings it: a thick dark stroke for a feature with `overdue`, the thin white one otherwise.
        using var ioc = JsonDocument.Parse(await _server.Client().GetStringAsync("/styles/ioc.json"));
        var paint = ioc.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("id").GetString() == "field-reports").GetProperty("paint");
        Assert.Equal($"[\"case\",[\"has\",\"overdue\"],\"{Styles.OverdueRing}\",\"#ffffff\"]", paint.GetProperty("circle-stroke-color").GetRawText());
        // Assets out of service are ringed too, on every map that draws them, by kind or all together.
        var assets = ioc.RootElement.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("id").GetString()!.StartsWith("assets")).ToList();
        Assert.NotEmpty(assets);
        Assert.All(assets.Where(l => l.GetProperty("type").GetString() == "circle"), l => Assert.Equal(
            $"[\"match\",[\"get\",\"status\"],[\"broken\",\"maintenance\"],\"{Styles.OutOfServiceColor}\",\"#ffffff\"]", l.GetProperty("paint").GetProperty("circle-stroke-color").GetRawText()));
    }

    [Fact]
    public async Task The_ward_overview_is_seeded_into_the_cache_and_seeded_again_after_an_import()
    {
        var seeder = _server.App.Services.GetRequiredService<TileSeeder>();
        var ward = await WardExtent.ReadAsync(_server.Db.DataSource, default);
        // The viewer's first view (the style's centre at zoom 15) and a tile just outside the ward.
        var centre = ward.Center(15);
        var (x, y) = TileOf(centre[0], centre[1], 15);
        var (ex, ey) = TileOf(ward.East, ward.North, 15);
        var view = $"/tiles/{Styles.CompositeLayers}/15/{x}/{y}.mvt";
        var beside = $"/tiles/{Styles.CompositeLayers}/15/{ex + 1}/{ey - 1}.mvt";
        var deeper = $"/tiles/{Styles.CompositeLayers}/16/{2 * x}/{2 * y}.mvt";

        string Cache((HttpResponseMessage Response, byte[]) r) => r.Response.Headers.GetValues("X-Tile-Cache").Single();
        await WaitFor(async () => seeder.IsCurrent && Cache(await Get(view)) == "hit", "the seeding pass over the sample ward");
        Assert.Equal("hit", Cache(await Get(beside)));
        Assert.Equal("miss", Cache(await Get(deeper)));   // only the overview zooms are seeded
        var (_, body) = await Get(view);
        Assert.NotEmpty(Decode(body, 15, x, y)["parcels"]);
        // The watcher's poll re-reads the same versions every few seconds: no change, the same snapshot (ETags are remembered per snapshot).
        var watcher = _server.App.Services.GetRequiredService<LayerVersionWatcher>();
        var snapshot = watcher.Snapshot;
        await watcher.RefreshAsync(default);
        Assert.Same(snapshot, watcher.Snapshot);

        // An import invalidates the parcels' tiles; once the data settles the overview is built again, with the new data.
        var etag = (await Get(view)).Response.Headers.ETag!.Tag;
        await new Importer(_server.Db.DataSource).RunAsync(new ImportRequest("parcels", Repo.SampleSmall("parcels_hai_phong_9210.gpkg")) { Upsert = true, Force = true });
        await WaitFor(async () => (await Get(beside, ifNoneMatch: etag)).Response.StatusCode != HttpStatusCode.NotModified, "the server to see the import");
        await WaitFor(() => seeder.IsCurrent, "a seeding pass over the imported data");
        var after = await Get(view);
        Assert.NotEqual(etag, after.Response.Headers.ETag!.Tag);
        Assert.Equal("hit", Cache(after));
    }

    static Task WaitFor(Func<bool> condition, string what) => WaitFor(() => Task.FromResult(condition()), what);

    static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"waited 30 s for {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Twenty_concurrent_requests_for_a_missing_tile_build_it_once()
    {
        // A tile service of its own: the server's seeder builds tiles in the background and would move a shared counter.
        var tiles = new TileService(_server.Db.DataSource, new TileCache(16 << 20), _server.App.Services.GetRequiredService<LayerVersionWatcher>());
        var layers = TileCatalog.Resolve("parcels,roads,zones,assets").Layers!;
        var before = Interlocked.Read(ref tiles.Builds);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => tiles.GetAsync(layers, 17, _z16.X * 2, _z16.Y * 2, false, default))));
        Assert.Equal(1, Interlocked.Read(ref tiles.Builds) - before);
        Assert.All(results, r => Assert.Equal(results[0].Gzipped, r.Gzipped));
    }

    [Theory]
    [InlineData("/tiles/parcels/23/0/0.mvt", HttpStatusCode.BadRequest, "zoom")]
    [InlineData("/tiles/parcels/2/4/0.mvt", HttpStatusCode.BadRequest, "x '4'")]
    [InlineData("/tiles/parcels/2/0/-1.mvt", HttpStatusCode.BadRequest, "y '-1'")]
    [InlineData("/tiles/parcels/abc/0/0.mvt", HttpStatusCode.BadRequest, "zoom 'abc'")]
    [InlineData("/tiles/nope/1/0/0.mvt", HttpStatusCode.NotFound, "unknown layer 'nope'")]
    [InlineData("/tiles/parcels;DROP%20TABLE%20parcels/1/0/0.mvt", HttpStatusCode.NotFound, "unknown layer")]
    [InlineData("/tiles/parcels,parcels/1/0/0.mvt", HttpStatusCode.NotFound, "named twice")]
    [InlineData("/tiles/parcels/1/0/0.mvt?variant=secret", HttpStatusCode.BadRequest, "variant")]
    [InlineData("/styles/nope.json", HttpStatusCode.NotFound, "no style 'nope'")]
    [InlineData("/styles/ioc.json?layers=parcels,nope", HttpStatusCode.NotFound, "unknown layer 'nope'")]
    public async Task Bad_tile_requests_get_a_problem_saying_what_is_wrong(string path, HttpStatusCode status, string says)
    {
        var r = await _server.Client().GetAsync(path);
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await r.Content.ReadAsStringAsync());
        Assert.True(await _server.Db.ScalarAsync<long>("SELECT count(*) FROM parcels") > 0);
    }

    [Fact]
    public async Task TileJSON_describes_layers_fields_bounds_and_the_tile_url()
    {
        var json = await _server.Client().GetFromJsonAsync<JsonElement>("/tiles/parcels,roads.json");
        Assert.Equal("3.0.0", json.GetProperty("tilejson").GetString());
        Assert.EndsWith("/tiles/parcels,roads/{z}/{x}/{y}.mvt", json.GetProperty("tiles")[0].GetString());
        Assert.Equal(19, json.GetProperty("maxzoom").GetInt32());   // clients overzoom z19 tiles (1.7 cm) deeper
        var layers = json.GetProperty("vector_layers").EnumerateArray().ToList();
        Assert.Equal(["parcels", "roads"], layers.Select(l => l.GetProperty("id").GetString()));
        Assert.True(layers[0].GetProperty("fields").TryGetProperty("land_use", out _));
        Assert.False(layers[0].GetProperty("fields").TryGetProperty("owner_name", out _));
        var b = json.GetProperty("bounds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var (lon, lat) = await CentreAsync();
        Assert.True(b[0] < lon && lon < b[2] && b[1] < lat && lat < b[3]);
        var catalogue = await _server.Client().GetFromJsonAsync<JsonElement>("/tiles");
        Assert.Contains(catalogue.GetProperty("layers").EnumerateArray(), l => l.GetProperty("name").GetString() == "loudspeakers");
    }

    [Fact]
    public async Task An_officer_s_TileJSON_lists_the_personal_fields_and_stays_out_of_shared_caches()
    {
        async Task<(JsonElement Json, HttpResponseMessage Response)> Ask(string? key, string? language = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/tiles/parcels.json");
            if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
            var r = await _server.Client(key).SendAsync(request);
            return (JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement, r);
        }
        static JsonElement Fields(JsonElement json) => json.GetProperty("vector_layers")[0].GetProperty("fields");

        var (officer, officers) = await Ask(await _server.KeyAsync("officer"));
        Assert.True(Fields(officer).TryGetProperty("owner_name", out _));
        Assert.Contains("private", officers.Headers.CacheControl?.ToString());
        var (everyone, publicly) = await Ask(null);
        Assert.False(Fields(everyone).TryGetProperty("owner_name", out _));
        Assert.Contains("public", publicly.Headers.CacheControl?.ToString());
        Assert.Contains("Authorization", publicly.Headers.Vary);   // a CDN keeps the officer's apart
        // The credit speaks the client's language, as the styles' does.
        Assert.Equal("WardMap — dữ liệu phường", everyone.GetProperty("attribution").GetString());
        var (english, _) = await Ask(null, "en-US,en;q=0.9");
        Assert.Equal("WardMap — ward data", english.GetProperty("attribution").GetString());
        Assert.Contains("Accept-Language", publicly.Headers.Vary);
    }

    [Theory]
    [InlineData("base")]
    [InlineData("cadastral")]
    [InlineData("planning")]
    [InlineData("ioc")]
    [InlineData("ioc.json?layers=parcels,cameras,drains,field_reports")]
    [InlineData("planning.json?layers=zones,assets")]
    public async Task Each_style_passes_the_MapLibre_style_validator(string name)
    {
        var style = await _server.Client().GetStringAsync(name.Contains('?') ? $"/styles/{name}" : $"/styles/{name}.json");
        var path = Path.Combine(Path.GetTempPath(), $"wardmap-style-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, style);
        try
        {
            var validator = Path.Combine(Repo.Root, "Viewer", "node_modules", ".bin", "gl-style-validate");
            Assert.True(File.Exists(validator), "run ./wardmap test (it installs the Viewer's npm packages, gl-style-validate among them)");
            var psi = new ProcessStartInfo(validator, [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"gl-style-validate: {output}");
        }
        finally { File.Delete(path); }
        using var doc = JsonDocument.Parse(style);
        Assert.Contains(doc.RootElement.GetProperty("layers").EnumerateArray(), l => l.GetProperty("id").GetString() == "ward-line");
    }

    [Fact]
    public async Task A_style_for_some_layers_draws_those_and_borrows_what_it_lacks()
    {
        // What the IOC widget asks for: parcels on the IOC map (which has none of its own), cameras alone, reports.
        using var doc = JsonDocument.Parse(await _server.Client().GetStringAsync("/styles/ioc.json?layers=parcels,cameras,field_reports"));
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["background", "parcels-fill", "ward-line", "assets-cameras", "field-reports", "parcels-label"],
            layers.Select(l => l.GetProperty("id").GetString()));
        // Parcels as the cadastral map draws them; cameras from their own tiles, from the zoom those start at (a wall
        // screen showing the whole ward shows its cameras), where the composite's assets start only at street level.
        using var cadastral = JsonDocument.Parse(await _server.Client().GetStringAsync("/styles/cadastral.json"));
        var parcels = cadastral.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("id").GetString() == "parcels-fill");
        Assert.Equal(parcels.GetProperty("paint").GetRawText(), layers[1].GetProperty("paint").GetRawText());
        Assert.Equal("kinds", layers[3].GetProperty("source").GetString());
        Assert.Equal("cameras", layers[3].GetProperty("source-layer").GetString());
        Assert.Equal(TileCatalog.Find("cameras")!.MinZoom, layers[3].GetProperty("minzoom").GetInt32());
        Assert.True(TileCatalog.Find("cameras")!.MinZoom < TileCatalog.Find("assets")!.MinZoom);
        var kinds = doc.RootElement.GetProperty("sources").GetProperty("kinds");
        Assert.EndsWith("/tiles/cameras/{z}/{x}/{y}.mvt", kinds.GetProperty("tiles")[0].GetString());
        Assert.Equal(TileCatalog.Find("cameras")!.MinZoom, kinds.GetProperty("minzoom").GetInt32());
        // Each layer names the catalogue layer it draws (the widget's highlight finds its drawing by it), a kind its kind.
        Assert.Equal("cameras", layers[3].GetProperty("metadata").GetProperty("wardmap:layer").GetString());
        Assert.Equal("camera", layers[3].GetProperty("metadata").GetProperty("wardmap:kind").GetString());
        Assert.Equal(["kinds", "reports", "ward"], doc.RootElement.GetProperty("sources").EnumerateObject().Select(p => p.Name).Order());

        // Asking for groups draws their names (the group_labels points) too; no reports, no reports source.
        using var planning = JsonDocument.Parse(await _server.Client().GetStringAsync("/styles/planning.json?layers=groups"));
        Assert.Equal(["background", "groups-fill", "groups-line", "ward-line", "groups-label"],
            planning.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(["ward"], planning.RootElement.GetProperty("sources").EnumerateObject().Select(p => p.Name));
        // And the label points alone draw with their polygons too (the catalogue layer of the same table).
        using var labels = JsonDocument.Parse(await _server.Client().GetStringAsync("/styles/planning.json?layers=group_labels"));
        Assert.Equal(planning.RootElement.GetProperty("layers").GetRawText(), labels.RootElement.GetProperty("layers").GetRawText());
    }

    [Fact]
    public async Task A_style_credits_the_ward_in_Vietnamese_or_in_English_for_a_map_that_speaks_English()
    {
        async Task<(string Attribution, HttpResponseMessage Response)> Ask(string? language)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/styles/ioc.json?layers=parcels,field_reports");
            if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
            var r = await _server.Client().SendAsync(request);
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            var credits = doc.RootElement.GetProperty("sources").EnumerateObject().Select(s => s.Value.GetProperty("attribution").GetString()).Distinct().ToList();
            return (Assert.Single(credits)!, r);   // every source of the style says it alike
        }
        var (vi, plain) = await Ask(null);   // QGIS, Mapsui, a script: the ward's own words
        Assert.Equal("WardMap — dữ liệu phường", vi);
        Assert.Contains("Accept-Language", plain.Headers.Vary);   // a cache keeps the two apart
        var (en, english) = await Ask("en-GB,en;q=0.9,vi;q=0.5");
        Assert.Equal("WardMap — ward data", en);
        Assert.Equal(["en"], english.Content.Headers.ContentLanguage);
        Assert.Equal("WardMap — dữ liệu phường", (await Ask("vi-VN,vi;q=0.9,en;q=0.8")).Attribution);
    }

    [Fact]
    public async Task GDAL_reads_a_saved_tile()
    {
        var body = (await Get($"/tiles/parcels,roads/16/{_z16.X}/{_z16.Y}.mvt")).Body;
        var dir = Directory.CreateTempSubdirectory("wardmap-mvt-").FullName;
        var file = Path.Combine(dir, "16", _z16.X.ToString(), $"{_z16.Y}.pbf");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, body);
        try
        {
            var psi = new ProcessStartInfo("ogrinfo", ["-ro", "-so", "-al", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, output);
            Assert.Contains("Layer name: parcels", output);
            Assert.Contains("Layer name: roads", output);
            var count = Decode(body, 16, _z16.X, _z16.Y)["parcels"].Count;
            Assert.Contains($"Feature Count: {count}", output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
