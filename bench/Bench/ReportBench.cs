using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using WardMap.Db;

namespace WardMap.Bench;

/// <summary>
/// Residents' reports accepted with placement, through HTTP, by 4 concurrent clients for a fixed time,
/// each report with its own Idempotency-Key. Goal: at least 300 reports/s with p95 under 25 ms on 2 cores.
/// The reports go to a scratch copy of the database, so the live one is not filled with them.
/// </summary>
public static class ReportBench
{
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string connection, string outDir, string root)
    {
        Console.WriteLine($"== bench reports: 4 clients posting placed reports for {Duration.TotalSeconds:0} s");
        var scratch = await CopyDatabaseAsync(connection);
        await using var db = WardDatabase.Open(scratch);
        var points = new List<(double, double)>();
        await using (var cmd = db.CreateCommand("SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM parcels TABLESAMPLE SYSTEM (10) REPEATABLE (7) LIMIT 2000"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) points.Add((r.GetDouble(0), r.GetDouble(1)));
        var serverDll = Path.Combine(root, ".wardmap", "bin", "server", "WardMap.GisServer.dll");
        await using var server = await ServerProcess.StartAsync(serverDll, scratch, cacheMegabytes: 64, seed: false);
        string[] categories = ["street_light", "pothole", "rubbish", "drain", "encroachment", "noise"];
        var latencies = new List<double>[4];
        var stop = DateTime.UtcNow + Duration;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
        {
            latencies[c] = [];
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            for (int i = c; DateTime.UtcNow < stop; i += 4)
            {
                var (lon, lat) = points[i % points.Count];
                var req = new HttpRequestMessage(HttpMethod.Post, "/api/reports")
                {
                    Content = JsonContent.Create(new { category = categories[i % categories.Length], text = "bench", lon, lat, accuracy_m = 12 }),
                };
                req.Headers.Add("Idempotency-Key", $"bench-{Guid.NewGuid():N}");
                var t = Stopwatch.GetTimestamp();
                using var resp = await http.SendAsync(req);
                latencies[c].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if ((int)resp.StatusCode != 201) throw new InvalidOperationException($"report refused: {await resp.Content.ReadAsStringAsync()}");
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {all.Length / clock.Elapsed.TotalSeconds,7:N0} reports/s accepted with placement   p50 {all[all.Length / 2]:0.00} ms   p95 {all[(int)(all.Length * 0.95)]:0.00} ms   (goal >= 300/s, p95 < 25 ms)"));
        return 0;
    }

    /// <summary>A copy of the database (CREATE DATABASE … TEMPLATE) that the bench may fill.</summary>
    static async Task<string> CopyDatabaseAsync(string connection)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);
        var name = b.Database + "_reports_bench";
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{b.Database}\"", admin).ExecuteNonQueryAsync();
        }
        b.Database = name;
        return b.ConnectionString;
    }
}
