using System.Diagnostics;
using Npgsql;
using NetTopologySuite.Geometries;
using WardMap.Db;
using WardMap.Generator;
using WardMap.Importers;

namespace WardMap.Bench;

/// <summary>
/// WardMap's import of one VN-2000 GeoPackage of parcels against ogr2ogr (GDAL, PG_USE_COPY, -t_srs
/// EPSG:4326) loading the same file into the same server, side by side. WardMap also validates each
/// row, repairs, measures the legal area in TM-3 and swaps the layer in atomically; ogr2ogr does none of that.
/// </summary>
public static class ImportBench
{
    const int Runs = 5, WarmUps = 3;

    public static async Task<int> RunAsync(string connection, string outDir, string root)
    {
        Console.WriteLine("== bench import: parcels GeoPackage (VN-2000 / TM-3 105°45', EPSG:9210) -> PostGIS 4326");
        var file25k = await EnsureGeoPackage(outDir, 25_000);
        var file100k = await EnsureGeoPackage(outDir, 100_000);
        var benchDb = await EnsureBenchDatabase(connection);
        var pg = new NpgsqlConnectionStringBuilder(benchDb);
        var ogrTarget = $"PG:host={pg.Host} port={pg.Port} dbname={pg.Database} user={pg.Username}" + (pg.Password is { Length: > 0 } pw ? $" password={pw}" : "");
        long rows = CountRows(file25k);

        // ogr2ogr, the anchor.
        var ogr = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var r = await Shell.RunAsync("ogr2ogr", ["-f", "PostgreSQL", ogrTarget, file25k, "-nln", "bench_ogr_parcels", "-overwrite",
                "-lco", "GEOMETRY_NAME=geom", "-t_srs", "EPSG:4326", "--config", "PG_USE_COPY", "YES"]);
            if (r.ExitCode != 0) { Console.Error.WriteLine($"ogr2ogr failed (is gdal-bin installed?): {r.Output}"); return 1; }
            ogr.Add(r.Elapsed.TotalSeconds);
        }

        // WardMap in-process (as the server's upload path runs it), once the JIT has settled.
        await using var db = WardDatabase.Open(benchDb);
        var importer = new Importer(db);
        for (int i = 0; i < WarmUps; i++) await importer.RunAsync(new ImportRequest("parcels", file25k) { Force = true });
        var inProcess = new List<double>();
        ImportReport? last = null;
        for (int i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            last = await importer.RunAsync(new ImportRequest("parcels", file25k) { Force = true });
            inProcess.Add(clock.Elapsed.TotalSeconds);
        }

        // WardMap as a command (process start and JIT included), and its memory at 25k and 100k rows.
        var serverDll = Path.Combine(root, ".wardmap", "bin", "server", "WardMap.GisServer.dll");   // as ./wardmap publishes it
        var env = new Dictionary<string, string> { ["WARDMAP_DB"] = benchDb };
        var cli = new List<double>();
        long peak25 = 0;
        for (int i = 0; i < Runs; i++)
        {
            var r = await Shell.RunAsync("dotnet", [serverDll, "import", "parcels", file25k, "--force", "--quiet", "--report", Path.Combine(outDir, "import-report.json")], env);
            if (r.ExitCode != 0) { Console.Error.WriteLine(r.Output); return 1; }
            cli.Add(r.Elapsed.TotalSeconds);
            peak25 = Math.Max(peak25, r.PeakRssBytes);
        }
        var big = await Shell.RunAsync("dotnet", [serverDll, "import", "parcels", file100k, "--force", "--quiet", "--report", Path.Combine(outDir, "import-report-100k.json")], env);
        long rows100k = CountRows(file100k);

        double ogrRate = rows / Shell.Median(ogr), inRate = rows / Shell.Median(inProcess), cliRate = rows / Shell.Median(cli);
        Console.WriteLine($"rows: {rows:N0} parcels; median of {Runs} runs each; PostGIS at {pg.Host}:{pg.Port}/{pg.Database}");
        Console.WriteLine($"  ogr2ogr (anchor)          {Shell.Median(ogr),7:0.000} s  {ogrRate,9:N0} features/s");
        Console.WriteLine($"  wardmap import, in-process {Shell.Median(inProcess),6:0.000} s  {inRate,9:N0} features/s   ratio {inRate / ogrRate:0.00}x  (goal >= 1.5x)");
        Console.WriteLine($"  wardmap import, CLI        {Shell.Median(cli),6:0.000} s  {cliRate,9:N0} features/s   ratio {cliRate / ogrRate:0.00}x  (process start included, ReadyToRun)");
        Console.WriteLine($"  wardmap phases (last in-process run): {string.Join(", ", last!.Timings.Select(t => $"{t.Key} {t.Value:0.000} s"))}");
        Console.WriteLine($"  wardmap checked {last!.RowsRead:N0} rows: {last.RowsRepaired} repaired, {last.RowsRejected} rejected, {last.Flagged.Count} flagged");
        Console.WriteLine($"  peak memory of the CLI: {peak25 / 1048576.0:0} MB at {rows:N0} rows, {big.PeakRssBytes / 1048576.0:0} MB at {rows100k:N0} rows " +
                          $"({big.Elapsed.TotalSeconds:0.00} s, {rows100k / big.Elapsed.TotalSeconds:N0} features/s)");
        return 0;
    }

    static long CountRows(string gpkg)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={gpkg};Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM thua_dat";
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>All of a generated ward's parcels in one GeoPackage in EPSG:9210.</summary>
    static Task<string> EnsureGeoPackage(string outDir, int parcels)
    {
        var path = Path.Combine(outDir, $"parcels_{parcels / 1000}k_9210.gpkg");
        if (File.Exists(path)) return Task.FromResult(path);
        Console.WriteLine($"  writing {path} ({parcels:N0} parcels)");
        var ward = new SampleWard(parcels, 20251);
        Writers.GeoPackage(path, "thua_dat", 9210, Writers.EpsgWkt(9210, 105.75), "POLYGON",
            [new("SoTo", typeof(int)), new("SoThua", typeof(int)), new("DienTich", typeof(double)), new("LoaiDat", typeof(string)),
             new("DiaChi", typeof(string)), new("TenChu", typeof(string)), new("CCCD", typeof(string)), new("SoGCN", typeof(string))],
            ward.Lots.Select(l => ((Geometry)l.Geometry.Copy(), new object?[] { l.Sheet, l.No, l.DeclaredArea, l.LandUse, l.Address, l.Owner, l.OwnerId, l.Certificate })));
        return Task.FromResult(path);
    }

    /// <summary>A separate database on the same server, so the bench never touches the live layers.</summary>
    static async Task<string> EnsureBenchDatabase(string connection)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);
        var name = b.Database + "_bench";
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = name } } };
            if (await exists.ExecuteScalarAsync() is null)
                await new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin).ExecuteNonQueryAsync();
        }
        b.Database = name;
        await using var db = WardDatabase.Open(b.ConnectionString);
        await Migrator.MigrateAsync(db);
        return b.ConnectionString;
    }
}
