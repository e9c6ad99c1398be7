using Npgsql;

namespace WardMap.GisServer.Endpoints;

public static class Health
{
    public static void Map(WebApplication app) =>
        app.MapGet("/healthz", async (NpgsqlDataSource db, DatabaseState state, CancellationToken ct) =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await using var cmd = db.CreateCommand("SELECT current_setting('server_version'), postgis_lib_version()");
                await using var r = await cmd.ExecuteReaderAsync(timeout.Token);
                await r.ReadAsync(timeout.Token);
                var (pg, postgis) = (r.GetString(0), r.GetString(1));
                if (!state.Migrated)
                    return Problems.Result(503, "Starting", "the database answers but the schema is still being migrated");
                return Results.Ok(new { status = "ok", postgresql = pg, postgis });
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                return Problems.Result(503, "Database unavailable", $"PostgreSQL does not answer: {e.Message}");
            }
        })
        .WithName("Health").WithTags("system")
        .WithSummary("200 with the PostgreSQL and PostGIS versions when the database answers; 503 when it does not.");
}
