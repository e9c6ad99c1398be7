using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;
using WardMap.Db;

namespace WardMap.TestSupport;

/// <summary>
/// The one real PostGIS every test project uses. Started once per test process: Testcontainers when a
/// Docker engine answers, otherwise a throwaway local cluster (initdb in a temp folder, a free port),
/// removed when the process ends. WARDMAP_TEST_DB points the tests at an existing server instead.
/// Each test asks for its own database, cloned from a migrated template, so no state is shared.
/// </summary>
public sealed class PostGis : IAsyncDisposable
{
    static readonly Lazy<Task<PostGis>> Shared = new(StartAsync);
    public static Task<PostGis> InstanceAsync() => Shared.Value;

    /// <summary>Connection string to the server's maintenance database.</summary>
    public string AdminConnection { get; }
    public string How { get; }
    /// <summary>The folder of a local cluster (null for a container or WARDMAP_TEST_DB).</summary>
    public string? Folder { get; private init; }
    readonly Func<Task>? _stop;
    int _counter;

    PostGis(string admin, string how, Func<Task>? stop) => (AdminConnection, How, _stop) = (admin, how, stop);

    /// <summary>A fresh database with the schema applied; dropped by disposing the handle.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync()
    {
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 40)];   // a short process id makes it shorter than 40
        await using (var admin = new NpgsqlConnection(AdminConnection))
        {
            await admin.OpenAsync();
            // CREATE DATABASE ... TEMPLATE needs the template unused: serialise the clones.
            await CloneLock.WaitAsync();
            try { await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE wardmap_template", admin); await cmd.ExecuteNonQueryAsync(); }
            finally { CloneLock.Release(); }
        }
        var cs = new NpgsqlConnectionStringBuilder(AdminConnection) { Database = name, Pooling = true, MaxPoolSize = 30 }.ConnectionString;
        return new TestDatabase(this, name, cs);
    }

    static readonly SemaphoreSlim CloneLock = new(1, 1);

    internal async Task DropAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnection);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task<PostGis> StartAsync()
    {
        PostGis server;
        if (Environment.GetEnvironmentVariable("WARDMAP_TEST_DB") is { Length: > 0 } given)
            server = new PostGis(WardDatabase.Normalise(given), "WARDMAP_TEST_DB", null);
        else if (DockerAnswers() && await TryContainerAsync() is { } container)
            server = container;
        else
            server = await StartLocalClusterAsync();
        await PrepareTemplateAsync(server.AdminConnection);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server._stop?.Invoke().GetAwaiter().GetResult();
        return server;
    }

    static bool DockerAnswers() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");

    static async Task<PostGis?> TryContainerAsync()
    {
        try
        {
            var c = new PostgreSqlBuilder("postgis/postgis:15-3.4").Build();
            await c.StartAsync();
            return new PostGis(c.GetConnectionString(), "Testcontainers (postgis/postgis:15-3.4)", () => c.DisposeAsync().AsTask());
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"PostGis: Docker did not give a container ({e.Message}); using a local cluster");
            return null;
        }
    }

    /// <summary>The newest PostgreSQL whose PostGIS is installed (./wardmap test installs it).</summary>
    public static string FindPgBin()
    {
        if (Environment.GetEnvironmentVariable("WARDMAP_PG_BIN") is { Length: > 0 } bin && File.Exists(Path.Combine(bin, "initdb"))) return bin;
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) &&
                            File.Exists($"/usr/share/postgresql/{Path.GetFileName(d)}/extension/postgis.control"))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found is null
            ? throw new InvalidOperationException("No PostgreSQL with PostGIS is installed: run './wardmap test', which installs postgresql-15-postgis-3, or set WARDMAP_TEST_DB.")
            : Path.Combine(found, "bin");
    }

    /// <summary>
    /// A cluster of a test's own, never shared, durable (fsync and synchronous commit on), for tests that
    /// stop and start PostgreSQL under load. Dispose it when done.
    /// </summary>
    public static async Task<PostGis> StartPrivateAsync()
    {
        var server = await StartLocalClusterAsync(durable: true);
        await PrepareTemplateAsync(server.AdminConnection);
        return server;
    }

    /// <summary>Stops PostgreSQL cleanly, waits, starts it again (private clusters only).</summary>
    public Task RestartAsync(TimeSpan down) =>
        (_restart ?? throw new InvalidOperationException("only a private cluster can be restarted"))(down);

    public async ValueTask DisposeAsync() { if (_stop is not null) await _stop(); }

    Func<TimeSpan, Task>? _restart;

    const string ClusterPrefix = "wardmap-pg-", OwnerFile = "owner.pid";

    static async Task<PostGis> StartLocalClusterAsync(bool durable = false)
    {
        var bin = FindPgBin();
        await SweepOrphansAsync(Path.GetTempPath());
        var dir = Directory.CreateTempSubdirectory(ClusterPrefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, OwnerFile), Environment.ProcessId.ToString());
        var data = Path.Combine(dir, "data");
        if (AsRoot) await Run("chown", "-R", "postgres:postgres", dir);
        await RunAsPg(Path.Combine(bin, "initdb"), "-D", data, "-U", "wardmap", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"),
            "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 300\nshared_buffers = 256MB\njit = off\n" +
            (durable ? "" : "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"));   // throwaway data: speed over durability
        // The test assemblies start their clusters at the same moment: a free port found by one may be taken by
        // another before its PostgreSQL binds it, so a start that cannot bind tries another port.
        var log = Path.Combine(dir, "server.log");
        int port = 0;
        Task Start() => RunAsPg(Path.Combine(bin, "pg_ctl"), "-D", data, "-l", log, "-w", "-t", "60", "-o", $"-p {port}", "start");
        for (int attempt = 1; ; attempt++)
        {
            port = FreePort();
            try { await Start(); break; }
            catch (InvalidOperationException) when (attempt < 3 && File.ReadAllText(log).Contains("could not bind")) { }
        }
        var admin = $"Host=127.0.0.1;Port={port};Database=postgres;Username=wardmap;Pooling=false";
        return new PostGis(admin, $"local cluster {dir} on port {port}", async () =>
        {
            try { await StopAsync(bin, data); } catch { /* already gone */ }
            try { Directory.Delete(dir, true); } catch { /* best effort */ }
        })
        {
            Folder = dir,
            _restart = async down =>
            {
                await RunAsPg(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop");
                await Task.Delay(down);
                await Start();
            },
        };
    }

    /// <summary>
    /// Stops and removes the local clusters whose test process is gone. `dotnet test` ends a test host
    /// without waiting for its exit handlers, so a finished run could leave its PostgreSQL running and
    /// ~70 MB in the temp folder, every run. Each cluster's folder names its owner (owner.pid); a folder
    /// without one is an older run's, removed once it is an hour old. Returns how many were removed.
    /// </summary>
    public static async Task<int> SweepOrphansAsync(string tempRoot)
    {
        int removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(tempRoot, ClusterPrefix + "*"))
        {
            if (!IsOrphan(dir)) continue;
            var data = Path.Combine(dir, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
                try { await StopAsync(FindPgBin(), data); }
                catch (InvalidOperationException) { /* not running: a stale pid file */ }
            try { Directory.Delete(dir, true); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    static bool IsOrphan(string dir)
    {
        try
        {
            var owner = Path.Combine(dir, OwnerFile);
            // No owner yet, or one being written (empty for a moment): only an old folder is an orphan.
            return File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid)
                ? !Alive(pid)
                : Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddHours(-1);
        }
        catch (IOException) { return false; }                   // another test process is removing it
        catch (UnauthorizedAccessException) { return false; }   // another user's
    }

    static bool Alive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    static async Task PrepareTemplateAsync(string adminConnection)
    {
        await using var admin = new NpgsqlConnection(adminConnection);
        await admin.OpenAsync();
        await using (var drop = new NpgsqlCommand("DROP DATABASE IF EXISTS wardmap_template", admin)) await drop.ExecuteNonQueryAsync();
        await using (var create = new NpgsqlCommand("CREATE DATABASE wardmap_template", admin)) await create.ExecuteNonQueryAsync();
        var cs = new NpgsqlConnectionStringBuilder(adminConnection) { Database = "wardmap_template", Pooling = false }.ConnectionString;
        await using (var db = WardDatabase.Open(cs)) await Migrator.MigrateAsync(db);
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Stops a throwaway cluster at once (its data is never needed again).</summary>
    static Task StopAsync(string bin, string data) => RunAsPg(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");

    // PostgreSQL refuses to run as root: as root, its programs run as the postgres account.
    static readonly bool AsRoot = Environment.UserName == "root";

    static Task RunAsPg(string exe, params string[] args) =>
        AsRoot ? Run("runuser", ["-u", "postgres", "--", exe, .. args]) : Run(exe, args);

    static async Task Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {await err}{await output}");
    }
}

/// <summary>A database of one's own for a test; disposing drops it.</summary>
public sealed class TestDatabase(PostGis server, string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string ConnectionString { get; } = connectionString;
    public PostGis Server { get; } = server;

    NpgsqlDataSource? _source;
    public NpgsqlDataSource DataSource => _source ??= WardDatabase.Open(ConnectionString);

    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        var v = await cmd.ExecuteScalarAsync();
        return v is DBNull or null ? default! : (T)Convert.ChangeType(v, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
    }

    public async Task ExecAsync(string sql, params object[] args)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_source is not null) await _source.DisposeAsync();
        await Server.DropAsync(Name);
    }
}
