using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using WardMap.Db;
using WardMap.Tiles;

namespace WardMap.Bench;

/// <summary>
/// 180 fixed tiles over the ward (z14-z17, the Viewer's composite layer set), 2 concurrent clients for a
/// fixed time, side by side: (a) the same tile SQL straight to PostGIS (Npgsql, prepared, no HTTP) — the
/// raw limit; (b) WardMap uncached; (c) WardMap cached; (d) nginx serving the same tiles from disk.
/// HTTP load comes from wrk for (b), (c) and (d). Goals: b/a >= 0.9, c/d >= 0.5, cached p99 < 2 ms.
/// </summary>
public static class TileBench
{
    static readonly string Layers = Styles.CompositeLayers;
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);
    // Each pair is measured in alternating rounds, the order flipped every round, and the ratio is the median of the
    // rounds' own ratios: on a shared 2-core VM the rate drifts by 20-30 % over a minute (other guests' load), and
    // a pair measured back to back drifts together. The rounds' spread is printed beside it.
    const int Rounds = 5;

    public sealed record Figures(double TilesPerSecond, double P50Ms, double P99Ms);

    public static async Task<int> RunAsync(string connection, string outDir, string root)
    {
        Console.WriteLine($"== bench tiles: 180 tiles z14-z17 of '{Layers}', 2 concurrent clients, {Rounds} alternating rounds of {Duration.TotalSeconds:0} s");
        await using var db = WardDatabase.Open(connection);
        // Settle the tables first (autovacuum after a fresh import would otherwise run during the measurements).
        await using (var vacuum = db.CreateCommand("VACUUM ANALYZE")) await vacuum.ExecuteNonQueryAsync();
        var tiles = await PickTilesAsync(db);
        if (tiles.Count == 0) { Console.Error.WriteLine("no parcels loaded: run ./wardmap run first"); return 1; }
        var layers = TileCatalog.Resolve(Layers).Layers!;

        // Sizes per zoom (the zoom rules keep tiles small), and the files nginx will serve.
        var tileDir = Path.Combine(outDir, "tiles-static");
        if (Directory.Exists(tileDir)) Directory.Delete(tileDir, true);
        var largest = new SortedDictionary<int, (int Raw, int Gz)>();
        foreach (var (z, x, y) in tiles)
        {
            var raw = await TileService.RawAsync(db, layers, z, x, y, false, CancellationToken.None);
            var gz = raw.Length == 0 ? raw : TileService.Gzip(raw);
            var file = Path.Combine(tileDir, "tiles", Layers, z.ToString(), x.ToString(), $"{y}.mvt");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllBytesAsync(file, gz);
            var prev = largest.GetValueOrDefault(z);
            largest[z] = (Math.Max(prev.Raw, raw.Length), Math.Max(prev.Gz, gz.Length));
        }
        Console.WriteLine("  largest tile per zoom: " + string.Join(", ", largest.Select(kv => $"z{kv.Key} {kv.Value.Raw / 1024.0:0} KB ({kv.Value.Gz / 1024.0:0} KB gzip)")));

        var serverDll = Path.Combine(root, ".wardmap", "bin", "server", "WardMap.GisServer.dll");
        var urls = tiles.Select(t => $"/tiles/{Layers}/{t.Z}/{t.X}/{t.Y}.mvt").ToList();
        var urlFile = Path.Combine(outDir, "tile-urls.txt");
        await File.WriteAllLinesAsync(urlFile, urls);
        var script = Path.Combine(outDir, "tiles.lua");
        await File.WriteAllTextAsync(script, WrkScript(urlFile));

        // (a) against (b): the same SQL with and without WardMap in front, alternating.
        var rawRuns = new List<Figures>(); var uncachedRuns = new List<Figures>(); var cachedRuns = new List<Figures>(); var nginxRuns = new List<Figures>();
        long peakUncached, peakCached;
        await using (var server = await ServerProcess.StartAsync(serverDll, connection, cacheMegabytes: 0))
        {
            await Warm(server.Url, urls, script);
            for (int round = 0; round < Rounds; round++)
            {
                if (round % 2 == 1) uncachedRuns.Add(await Wrk(server.Url, script));
                rawRuns.Add(await RawPostGisAsync(connection, layers, tiles));
                if (round % 2 == 0) uncachedRuns.Add(await Wrk(server.Url, script));
            }
            peakUncached = server.PeakRss();
        }
        // (c) against (d): cached tiles against nginx serving the same bytes from files, alternating.
        await using (var server = await ServerProcess.StartAsync(serverDll, connection, cacheMegabytes: 256))
        await using (var ng = await Nginx.StartAsync(tileDir, outDir))
        {
            await Warm(server.Url, urls, script);
            for (int round = 0; round < Rounds; round++)
            {
                if (round % 2 == 1) nginxRuns.Add(await Wrk(ng.Url, script));
                cachedRuns.Add(await Wrk(server.Url, script));
                if (round % 2 == 0) nginxRuns.Add(await Wrk(ng.Url, script));
            }
            peakCached = server.PeakRss();
        }
        var (raw2, uncached, cached, nginx) = (Median(rawRuns), Median(uncachedRuns), Median(cachedRuns), Median(nginxRuns));
        Console.WriteLine($"  (a) PostGIS, same SQL, no HTTP  {Line(raw2)}");
        Console.WriteLine($"  (b) WardMap uncached            {Line(uncached)}   b/a {Ratio(uncachedRuns, rawRuns)}  (goal >= 0.9)");
        Console.WriteLine($"  (c) WardMap cached              {Line(cached)}   c/d {Ratio(cachedRuns, nginxRuns)}  (goal >= 0.5; p99 goal < 2 ms)");
        Console.WriteLine($"  (d) nginx, same tiles from disk {Line(nginx)}");
        Console.WriteLine($"  server peak memory: {peakUncached / 1048576.0:0} MB uncached, {peakCached / 1048576.0:0} MB cached");
        await CompareStored3857Async(connection, tiles.Where(t => t.Z >= 16).ToList());
        return 0;
    }

    /// <summary>
    /// The design question "store a 3857 copy for tiles?", answered on this data: the parcels part of the
    /// tile SQL from 4326 transformed per request against the same from a stored 3857 column (a scratch copy).
    /// </summary>
    static async Task CompareStored3857Async(string connection, List<(int Z, int X, int Y)> tiles)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await new NpgsqlCommand("""
            CREATE TEMP TABLE bench_p3857 AS SELECT id, land_use, geom, ST_Transform(geom, 3857) AS g3 FROM parcels;
            CREATE INDEX ON bench_p3857 USING gist (geom); CREATE INDEX ON bench_p3857 USING gist (g3); ANALYZE bench_p3857;
            """, conn).ExecuteNonQueryAsync();
        const string from4326 = """
            SELECT length(ST_AsMVT(m, 'parcels', 4096, 'geom', 'id')) FROM (SELECT id, land_use,
              ST_AsMVTGeom(ST_Transform(t.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
              FROM bench_p3857 t WHERE t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326)) m
            """;
        const string from3857 = """
            SELECT length(ST_AsMVT(m, 'parcels', 4096, 'geom', 'id')) FROM (SELECT id, land_use,
              ST_AsMVTGeom(t.g3, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
              FROM bench_p3857 t WHERE t.g3 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)) m
            """;
        async Task<double> Time(string sql)
        {
            var clock = Stopwatch.StartNew();
            for (int round = 0; round < 3; round++)
                foreach (var (z, x, y) in tiles)
                {
                    await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = z }, new() { Value = x }, new() { Value = y } } };
                    await cmd.ExecuteScalarAsync();
                }
            return clock.Elapsed.TotalMilliseconds;
        }
        await Time(from4326); await Time(from3857);   // warm both
        double a = await Time(from4326), b = await Time(from3857);
        Console.WriteLine($"  stored 3857 copy? parcels SQL for {tiles.Count} z16-z17 tiles x3: {a:0} ms from 4326 (transform per request), " +
                          $"{b:0} ms from a stored 3857 column ({(a - b) / a * 100:0} % faster)");
    }

    /// <summary>The median of the rounds' ratios, and their range: "0.86 (rounds 0.79-0.93)".</summary>
    static string Ratio(List<Figures> top, List<Figures> bottom)
    {
        var ratios = top.Zip(bottom, (t, b) => t.TilesPerSecond / b.TilesPerSecond).Order().ToList();
        return $"{ratios[ratios.Count / 2]:0.00} (rounds {ratios[0]:0.00}-{ratios[^1]:0.00})";
    }

    /// <summary>The run with the median rate (its latencies come with it).</summary>
    static Figures Median(List<Figures> runs) => runs.OrderBy(r => r.TilesPerSecond).ElementAt(runs.Count / 2);

    static string Line(Figures f) => $"{f.TilesPerSecond,8:N0} tiles/s  p50 {f.P50Ms,6:0.00} ms  p99 {f.P99Ms,6:0.00} ms";

    /// <summary>The ward's tiles at z14 and z15, then a seeded sample of z16 and z17, 180 in all.</summary>
    static async Task<List<(int Z, int X, int Y)>> PickTilesAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry e FROM parcels) x");
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync() || r.IsDBNull(0)) return [];
        var parcels = new WardExtent(r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3));
        var all = new List<(int, int, int)>();
        var rng = new Random(180);
        for (int z = 14; z <= 17; z++)
        {
            var zoom = parcels.Tiles(z).ToList();
            all.AddRange(z <= 15 ? zoom : zoom.OrderBy(_ => rng.Next()).Take(z == 16 ? 60 : 200));
        }
        return all.Take(180).ToList();
    }

    /// <summary>(a) Two connections run the tile statement for the tiles in turn, prepared, as fast as PostGIS answers.</summary>
    static async Task<Figures> RawPostGisAsync(string connection, IReadOnlyList<TileLayer> layers, List<(int Z, int X, int Y)> tiles)
    {
        var latencies = new List<double>[2];
        var stop = DateTime.UtcNow + Duration;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async c =>
        {
            latencies[c] = new List<double>();
            await using var conn = new NpgsqlConnection(connection);
            await conn.OpenAsync();
            var prepared = new Dictionary<int, NpgsqlCommand>();
            for (int i = c; DateTime.UtcNow < stop; i += 2)
            {
                var (z, x, y) = tiles[i % tiles.Count];
                if (!prepared.TryGetValue(z, out var cmd))
                {
                    cmd = new NpgsqlCommand(TileSql.For(layers, z, false), conn);
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 0 });
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 0 });
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 0 });
                    await cmd.PrepareAsync();
                    prepared[z] = cmd;
                }
                ((NpgsqlParameter<int>)cmd.Parameters[0]).TypedValue = z;
                ((NpgsqlParameter<int>)cmd.Parameters[1]).TypedValue = x;
                ((NpgsqlParameter<int>)cmd.Parameters[2]).TypedValue = y;
                var t = Stopwatch.GetTimestamp();
                await cmd.ExecuteScalarAsync();
                latencies[c].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Figures(all.Length / clock.Elapsed.TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
    }

    /// <summary>
    /// Every tile once (each must answer 200), then the same load as the measurement for a while: .NET
    /// recompiles hot code with optimisations during its first seconds under load (tiered JIT), and the
    /// bench compares a server in its steady state, as a ward's server runs all day.
    /// </summary>
    static async Task Warm(string baseUrl, List<string> urls, string script)
    {
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(baseUrl) };
        foreach (var u in urls) (await http.GetAsync(u)).EnsureSuccessStatusCode();
        await Wrk(baseUrl, script);
    }

    /// <summary>
    /// wrk's two threads take alternate URLs (thread 0 the even ones, thread 1 the odd ones), as the two raw
    /// connections of (a) do: both sides see the same tiles in the same order, and never the same tile at once.
    /// </summary>
    static string WrkScript(string urlFile) => $$"""
        -- cycles through the bench's tile URLs; asks for gzip as browsers do
        local urls = {}
        for line in io.lines("{{urlFile}}") do urls[#urls + 1] = line end
        local threads = 0
        function setup(thread)
          thread:set("first", threads)
          threads = threads + 1
        end
        local i
        function init(args) i = first end
        request = function()
          local url = urls[(i % #urls) + 1]
          i = i + 2
          return wrk.format("GET", url, { ["Accept-Encoding"] = "gzip" })
        end
        """;

    static async Task<Figures> Wrk(string baseUrl, string script)
    {
        var r = await Shell.RunAsync("wrk", ["-t2", "-c2", $"-d{Duration.TotalSeconds:0}s", "--latency", "-s", script, baseUrl]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {r.Output}");
        double rps = double.Parse(Regex.Match(r.Output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        if (Regex.IsMatch(r.Output, @"Non-2xx or 3xx responses")) throw new InvalidOperationException($"errors under load: {r.Output}");
        return new Figures(rps, Ms(r.Output, "50%"), Ms(r.Output, "99%"));
    }

    static double Ms(string wrkOutput, string percentile)
    {
        var m = Regex.Match(wrkOutput, $@"{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)");
        var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }
}

/// <summary>The published WardMap server as its own process, on a free loopback port.</summary>
sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _p;
    public string Url { get; }
    long _peak;
    ServerProcess(Process p, string url) => (_p, Url) = (p, url);

    /// <param name="seed">Whether the server seeds the ward's overview tiles after its start (TileSeeder): a few
    /// seconds of tile building on one core, which the query and report benches would measure beside their own.</param>
    public static async Task<ServerProcess> StartAsync(string dll, string connection, int cacheMegabytes, bool seed = true)
    {
        var port = TileBench.FreePort();
        // The report bench is one address sending thousands of reports: the per-address limit is off here.
        var psi = new ProcessStartInfo("dotnet", [dll, "serve", "--urls", $"http://127.0.0.1:{port}", "--Tiles:CacheMegabytes", cacheMegabytes.ToString(),
            "--Reports:PerClientPerHour", "0", "--Logging:LogLevel:Default", "Warning", .. seed ? Array.Empty<string>() : ["--Tiles:SeedMaxZoom", "0"]])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["WARDMAP_DB"] = connection;
        var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var server = new ServerProcess(p, $"http://127.0.0.1:{port}");
        using var http = new HttpClient();
        for (int i = 0; i < 200; i++)
        {
            try { if ((await http.GetAsync(server.Url + "/healthz")).IsSuccessStatusCode) return server; } catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("the server did not become healthy");
    }

    public long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_p.Id}/status"))
                if (line.StartsWith("VmHWM:")) _peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return _peak;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_p.HasExited) { _p.Kill(true); await _p.WaitForExitAsync(); }
        _p.Dispose();
    }
}

/// <summary>Debian's nginx on loopback serving pre-gzipped tile files, the static-file anchor.</summary>
sealed class Nginx : IAsyncDisposable
{
    readonly Process _p;
    public string Url { get; }
    Nginx(Process p, string url) => (_p, Url) = (p, url);

    public static async Task<Nginx> StartAsync(string root, string outDir)
    {
        var port = TileBench.FreePort();
        var prefix = Path.Combine(outDir, "nginx");
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            daemon off;
            worker_processes 2;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/logs/error.log warn;
            events { worker_connections 256; }
            http {
              access_log off;
              sendfile on;
              tcp_nopush on;
              open_file_cache max=1000;
              server {
                listen 127.0.0.1:{{port}};
                root {{root}};
                location /tiles/ {
                  default_type application/vnd.mapbox-vector-tile;
                  add_header Content-Encoding gzip;
                  add_header Cache-Control "public, max-age=60";
                }
              }
            }
            """);
        var p = Process.Start(new ProcessStartInfo("nginx", ["-c", conf, "-p", prefix]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var ng = new Nginx(p, $"http://127.0.0.1:{port}");
        using var http = new HttpClient();
        for (int i = 0; i < 100; i++)
        {
            try { await http.GetAsync(ng.Url + "/"); return ng; } catch (HttpRequestException) { await Task.Delay(50); }
        }
        throw new InvalidOperationException("nginx did not start: " + await p.StandardError.ReadToEndAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_p.HasExited) { _p.Kill(true); await _p.WaitForExitAsync(); }
        _p.Dispose();
    }
}
