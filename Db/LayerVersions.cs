using Npgsql;

namespace WardMap.Db;

/// <summary>
/// A data version per layer. Imports and edits bump it in the same transaction as the change, so a
/// tile cache or ETag keyed on it can never serve data older than what was committed. Field reports
/// are the exception: their version is the id of the newest row of their history.
/// </summary>
public static class LayerVersions
{
    const string BumpSql = """
        INSERT INTO layer_versions (layer, version, updated_at) VALUES ($1, 2, now())
        ON CONFLICT (layer) DO UPDATE SET version = layer_versions.version + 1, updated_at = now()
        RETURNING version
        """;

    public static async Task<long> BumpAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string layer, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(BumpSql, conn, tx);
        cmd.Parameters.AddWithValue(layer);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task<Dictionary<string, long>> ReadAllAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        // Field reports change many times a second: their version is the newest history row, not a
        // counter every report would have to lock and bump.
        await using var cmd = db.CreateCommand("""
            SELECT layer, version FROM layer_versions
            UNION ALL SELECT 'field_reports', COALESCE((SELECT max(id) FROM field_report_history), 0)
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var result = new Dictionary<string, long>();
        while (await r.ReadAsync(ct)) result[r.GetString(0)] = r.GetInt64(1);
        return result;
    }
}
