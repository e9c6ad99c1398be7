using Npgsql;
using WardMap.Db;

namespace WardMap.GisServer;

/// <summary>
/// Brings the schema up to date at start, retrying while the database is down, so the server can start
/// before PostgreSQL and recovers by itself (Npgsql's pool drops broken connections on its own).
/// </summary>
public sealed class DatabaseState(NpgsqlDataSource db, ILogger<DatabaseState> log) : BackgroundService
{
    public bool Migrated { get; private set; }
    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var applied = await Migrator.MigrateAsync(db, stop);
                if (applied.Count > 0) log.LogInformation("applied migrations {Migrations}", string.Join(", ", applied));
                Migrated = true;
                LastError = null;
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                LastError = e.Message;
                log.LogWarning("database not ready ({Error}); retrying in {Delay} s", e.Message, delay.TotalSeconds);
                await Task.Delay(delay, stop);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 15));
            }
        }
    }
}
