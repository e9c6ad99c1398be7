using Npgsql;

namespace WardMap.Db;

/// <summary>Opens WardMap's PostGIS: one pooled data source with NetTopologySuite geometry mapping.</summary>
public static class WardDatabase
{
    /// <summary>The connection used when nothing is configured: the local cluster that `./wardmap db start` runs.</summary>
    public const string LocalDefault = "Host=127.0.0.1;Port=55432;Database=wardmap;Username=wardmap";

    /// <summary>The configured connection: WARDMAP_DB, else the local default.</summary>
    public static string ConfiguredConnectionString(string? explicitValue = null) =>
        Normalise(explicitValue ?? Environment.GetEnvironmentVariable("WARDMAP_DB") ?? LocalDefault);

    public static NpgsqlDataSource Open(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(Normalise(connectionString));
        // Tile and query statements repeat all day: let Npgsql prepare them (PostGIS plans are not cheap).
        if (csb.MaxAutoPrepare == 0) { csb.MaxAutoPrepare = 128; csb.AutoPrepareMinUsages = 2; }
        // WardMap keeps no session state on pooled connections (no SET, temp tables are ON COMMIT DROP, advisory
        // locks are released in finally, listeners UNLISTEN before they go back): skip Npgsql's reset, which
        // otherwise sends seven statements (SET SESSION AUTHORIZATION … DISCARD TEMP) ahead of every pooled command.
        csb.NoResetOnClose = true;
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString);
        // Every geometry column is 2D: write X and Y only, whatever Z or M a source file carried.
        builder.UseNetTopologySuite(handleOrdinates: NetTopologySuite.Geometries.Ordinates.XY);
        return builder.Build();
    }

    /// <summary>Ends a listener's LISTENs before its connection goes back to the pool (no reset runs there).</summary>
    public static async Task UnlistenAsync(NpgsqlConnection conn)
    {
        if (conn.State != System.Data.ConnectionState.Open) return;
        try { await using var cmd = new NpgsqlCommand("UNLISTEN *", conn); await cmd.ExecuteNonQueryAsync(); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException) { /* a broken connection leaves the pool anyway */ }
    }

    /// <summary>Accepts an Npgsql key=value string or a postgresql:// URL (as libpq and most tools write it).</summary>
    public static string Normalise(string connection)
    {
        if (!connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return connection;
        var uri = new Uri(connection);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        return b.ConnectionString;
    }

    /// <summary>One sentence a person can act on, for a connection that fails.</summary>
    public static string Explain(Exception e, string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(Normalise(connectionString));
        var where = $"{b.Host}:{b.Port}/{b.Database} as {b.Username}";
        var inner = e is NpgsqlException { InnerException: { } ie } ? ie : e;
        return inner switch
        {
            System.Net.Sockets.SocketException => $"Cannot reach PostgreSQL at {where} ({inner.Message}); start it with './wardmap db start' or fix --connection / WARDMAP_DB.",
            PostgresException pe when pe.SqlState == "3D000" => $"The database '{b.Database}' does not exist at {b.Host}:{b.Port}; create it or fix --connection / WARDMAP_DB.",
            PostgresException pe when pe.SqlState is "28P01" or "28000" => $"PostgreSQL at {where} refused the login ({pe.MessageText}); fix the user or password in --connection / WARDMAP_DB.",
            TimeoutException => $"PostgreSQL at {where} did not answer in time; is the host right?",
            _ => $"Cannot use PostgreSQL at {where}: {inner.Message}",
        };
    }
}
