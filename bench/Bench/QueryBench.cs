using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using WardMap.Db;
using WardMap.Generator;
using WardMap.Importers;

namespace WardMap.Bench;

/// <summary>
/// Land officers' and planners' queries through the HTTP API, one client, on the sample ward and on a
/// generated 1,000,000-parcel ward, so growth with size shows. Goals: parcel at a point and parcel by
/// number p50 under 2 ms, overlay of a 1 ha polygon under 30 ms.
/// </summary>
public static class QueryBench
{
    const int Samples = 300;

    public static async Task<int> RunAsync(string connection, string outDir, string root)
    {
        Console.WriteLine("== bench queries: one client over HTTP on loopback (latency includes the client's round trip)");
        var serverDll = Path.Combine(root, ".wardmap", "bin", "server", "WardMap.GisServer.dll");
        await MeasureAsync("sample ward", connection, serverDll);
        var big = await EnsureMillionAsync(connection, outDir);
        await MeasureAsync("1,000,000 parcels", big, serverDll);
        return 0;
    }

    static async Task MeasureAsync(string label, string connection, string serverDll)
    {
        await using var db = WardDatabase.Open(connection);
        var parcels = await ScalarAsync<long>(db, "SELECT count(*) FROM parcels");
        var points = new List<string>(); var numbers = new List<string>(); var squares = new List<string>(); var permits = new List<string>();
        await using (var cmd = db.CreateCommand($"""
            SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)), sheet_no, parcel_no,
                   ST_AsGeoJSON(ST_Transform(ST_Expand(ST_Transform(ST_Centroid(geom), source_srid), 50), 4326), 7),
                   id, ST_AsGeoJSON(ST_Transform(ST_Buffer(ST_Transform(ST_PointOnSurface(geom), source_srid), 4, 'quad_segs=1'), 4326), 8)
            FROM parcels TABLESAMPLE SYSTEM (5) REPEATABLE (42) LIMIT {Samples}
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                points.Add(FormattableString.Invariant($"/api/parcels/at?lon={r.GetDouble(0)}&lat={r.GetDouble(1)}"));
                numbers.Add($"/api/parcels?sheet={r.GetInt32(2)}&no={r.GetInt32(3)}");
                squares.Add(r.GetString(4));
                permits.Add($"{{\"parcel_id\":{r.GetInt64(5)},\"footprint\":{r.GetString(6)},\"floors\":3,\"height_m\":12}}");
            }
        await using var server = await ServerProcess.StartAsync(serverDll, connection, cacheMegabytes: 64, seed: false);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var planner = await CreateKeyAsync(db, "planner");
        http.DefaultRequestHeaders.Authorization = new("Bearer", planner);

        async Task<(double P50, double P95)> Time(IEnumerable<Func<Task<HttpResponseMessage>>> calls)
        {
            var list = calls.ToList();
            foreach (var c in list.Take(30)) (await c()).EnsureSuccessStatusCode();   // warm
            var ms = new List<double>();
            foreach (var c in list)
            {
                var t = Stopwatch.GetTimestamp();
                using var resp = await c();
                await resp.Content.ReadAsByteArrayAsync();
                ms.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                resp.EnsureSuccessStatusCode();
            }
            ms.Sort();
            return (ms[ms.Count / 2], ms[(int)(ms.Count * 0.95)]);
        }

        var at = await Time(points.Select(u => (Func<Task<HttpResponseMessage>>)(() => http.GetAsync(u))));
        var byNo = await Time(numbers.Select(u => (Func<Task<HttpResponseMessage>>)(() => http.GetAsync(u))));
        var overlay = await Time(squares.Select(s => (Func<Task<HttpResponseMessage>>)(() =>
            http.PostAsync("/api/planning/overlay", new StringContent(s, Encoding.UTF8, "application/json")))));
        // A planner drawing a whole quarter: 1 km² at the middle of the ward, five times after five to warm (each
        // answer lists thousands of parcels).
        var square = await ScalarAsync<string>(db, """
            SELECT ST_AsGeoJSON(ST_Transform(ST_Expand(ST_Transform(ST_Centroid(ST_SetSRID(ST_Extent(geom)::geometry, 4326)), min(source_srid)), 500), 4326), 7) FROM parcels
            """);
        var km2 = await Time(Enumerable.Repeat((Func<Task<HttpResponseMessage>>)(() =>
            http.PostAsync("/api/planning/overlay", new StringContent(square, Encoding.UTF8, "application/json"))), 5));
        var officer = await CreateKeyAsync(db, "officer");
        var permit = await Time(permits.Select(b => (Func<Task<HttpResponseMessage>>)(() =>
        {
            var req = new HttpRequestMessage(HttpMethod.Post, "/api/permits/check") { Content = new StringContent(b, Encoding.UTF8, "application/json") };
            req.Headers.Authorization = new("Bearer", officer);
            return http.SendAsync(req);
        })));
        Console.WriteLine($"  {label} ({parcels:N0} parcels):");
        Console.WriteLine($"    parcel at a point       p50 {at.P50,6:0.00} ms  p95 {at.P95,6:0.00} ms   (goal p50 < 2 ms)");
        Console.WriteLine($"    parcel by sheet/number  p50 {byNo.P50,6:0.00} ms  p95 {byNo.P95,6:0.00} ms   (goal p50 < 2 ms)");
        Console.WriteLine($"    overlay of 1 ha         p50 {overlay.P50,6:0.00} ms  p95 {overlay.P95,6:0.00} ms   (goal < 30 ms)");
        Console.WriteLine($"    overlay of 1 km²        p50 {km2.P50,6:0} ms  p95 {km2.P95,6:0} ms");
        Console.WriteLine($"    permit check            p50 {permit.P50,6:0.00} ms  p95 {permit.P95,6:0.00} ms   (goal p95 < 30 ms)");
    }

    /// <summary>A database with a generated ward of a million parcels, made once and reused.</summary>
    static async Task<string> EnsureMillionAsync(string connection, string outDir)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);
        var name = b.Database + "_1m";
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = name } } };
            if (await exists.ExecuteScalarAsync() is null) await new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin).ExecuteNonQueryAsync();
        }
        b.Database = name;
        await using var db = WardDatabase.Open(b.ConnectionString);
        await Migrator.MigrateAsync(db);
        if (await ScalarAsync<long>(db, "SELECT count(*) FROM parcels") >= 900_000) return b.ConnectionString;

        var dir = Path.Combine(outDir, "ward-1m");
        if (!File.Exists(Path.Combine(dir, ".complete")))
        {
            Console.WriteLine($"  generating a 1,000,000-parcel ward into {dir} (once; a few minutes)");
            SampleWriter.Write(dir, 1_000_000, 20251);
        }
        Console.WriteLine("  importing it (once)");
        var importer = new Importer(db);
        foreach (var (layer, file, upsert) in new[] { ("ward_boundary", "ward_boundary.geojson", false), ("parcels", "parcels_hai_duong_9209.shp", false),
                     ("parcels", "parcels_hai_phong_9210.gpkg", true), ("zones", "zones.gpkg", false), ("groups", "residential_groups.geojson", false) })
            await importer.RunAsync(new ImportRequest(layer, Path.Combine(dir, file)) { Upsert = upsert, PopulationCsv = layer == "groups" ? Path.Combine(dir, "population.csv") : null });
        await using (var vacuum = db.CreateCommand("VACUUM ANALYZE")) await vacuum.ExecuteNonQueryAsync();
        return b.ConnectionString;
    }

    static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    static async Task<string> CreateKeyAsync(NpgsqlDataSource db, string role)
    {
        var key = "wm_bench_" + Guid.NewGuid().ToString("N");
        await using var cmd = db.CreateCommand("INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ('bench', $1, $2, $3)");
        cmd.Parameters.AddWithValue(role);
        cmd.Parameters.AddWithValue(key[..16]);
        cmd.Parameters.AddWithValue(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        await cmd.ExecuteNonQueryAsync();
        return key;
    }
}
