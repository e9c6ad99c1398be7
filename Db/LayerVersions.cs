using Npgsql;

namespace WardMap.Db;

/// <summary>
/// A data version per layer. Every change to a layer's table bumps it in the same transaction (migration 0010:
/// triggers, and the importer's call), whether an import or an edit straight in PostGIS made it; so a tile cache
/// or ETag keyed on it can never serve data older than what was committed. Field reports are the exception:
/// their version is read as the id of the newest row of their history (LayerVersionWatcher also counts the rows
/// that commit after a later one, and the deadlines that pass).
/// </summary>
public static class LayerVersions
{
    /// <summary>
    /// Marks the layer changed in this transaction (a replacing import swaps in a new table, which no trigger
    /// sees) and returns its new version: bumped once per transaction, however many statements changed it.
    /// </summary>
    public static async Task<long> ChangedAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string layer, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("SELECT wm_layer_changed($1)", conn, tx);
        cmd.Parameters.AddWithValue(layer);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Every layer's version, and the next moment an open report passes a deadline (migration 0013), if any is
    /// ahead: one statement, as the version watcher reads them every few seconds.
    /// </summary>
    public static async Task<(Dictionary<string, long> Versions, DateTime? NextReportDeadline)> ReadAllAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        // Field reports change many times a second: their version is the newest history row, not a
        // counter every report would have to lock and bump.
        await using var cmd = db.CreateCommand("""
            SELECT layer, version, NULL::timestamptz FROM layer_versions
            UNION ALL SELECT 'field_reports', COALESCE((SELECT max(id) FROM field_report_history), 0), report_next_deadline()
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var versions = new Dictionary<string, long>();
        DateTime? deadline = null;
        while (await r.ReadAsync(ct))
        {
            versions[r.GetString(0)] = r.GetInt64(1);
            if (!r.IsDBNull(2)) deadline = r.GetDateTime(2);
        }
        return (versions, deadline);
    }
}
