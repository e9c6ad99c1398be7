using Npgsql;
using WardMap.Importers.Layers;

namespace WardMap.Importers;

/// <summary>How many rows an import adds, changes and removes (a dry run: would), and the first of them by key.</summary>
public sealed record ChangeCounts(long Added, long Changed, long Removed)
{
    public List<ChangedRow> Rows { get; init; } = [];
}

/// <summary>One row an import changes: its natural key ("5/120"), added, changed or removed, and the columns that differ.</summary>
public sealed record ChangedRow(string Key, string Change, string[] Fields);

/// <summary>
/// What an import changes in a layer, row by row (biến động), written to layer_changes in the import's transaction
/// (migration 0016): the live rows against the rows about to replace or update them, joined by natural key. A row
/// is changed when any column it was loaded with differs, its shape vertex for vertex.
/// </summary>
static class LayerChanges
{
    /// <summary>Changed rows listed in a run's report; all of them are in layer_changes.</summary>
    public const int ReportedRows = 200;

    /// <param name="columns">The columns to compare: those the incoming rows have values for.</param>
    /// <param name="incoming">The relation holding the file's rows (the new table, or a file's rows of the upsert's staging table).</param>
    /// <param name="removes">A replace removes the live rows the file lacks; an upsert keeps them.</param>
    public static async Task<(long Added, long Changed, long Removed)> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LayerSpec spec,
        IReadOnlyList<StagedColumn> columns, string incoming, bool removes, long runId, CancellationToken ct)
    {
        var key = spec.NaturalKey;
        // Every column the file fills but the key; the source CRS is how the file came, not what the row says.
        var compared = columns.Select(c => c.Name).Where(c => !key.Contains(c) && c is not "source_srid" and not "geom").ToList();
        // geometry's = compares coordinates and their order since PostGIS 2.4 (boxes before)
        var differs = compared.Select(c => $"CASE WHEN o.{c} IS DISTINCT FROM n.{c} THEN '{c}' END").Append("CASE WHEN o.geom IS DISTINCT FROM n.geom THEN 'geom' END");
        // The values are carried as columns and made into JSON only for the rows kept: most rows of a re-import are unchanged.
        var carried = compared.SelectMany(c => new[] { $"o.{c} AS o_{c}", $"n.{c} AS n_{c}" });
        string Values(string alias) => $"jsonb_build_object({string.Join(", ", compared.Select(c => $"'{c}', {alias}_{c}"))})";
        var sql = $"""
            WITH diff AS (
              SELECT concat_ws('/', {string.Join(", ", key.Select(k => $"COALESCE(n.{k}, o.{k})"))}) AS natural_key,
                     CASE WHEN o.{key[0]} IS NULL THEN 'added' WHEN n.{key[0]} IS NULL THEN 'removed' ELSE 'changed' END AS change,
                     array_remove(ARRAY[{string.Join(", ", differs)}], NULL) AS fields
                     {string.Concat(carried.Select(c => ", " + c))}
              FROM {spec.Table} o {(removes ? "FULL" : "RIGHT")} JOIN {incoming} n ON {string.Join(" AND ", key.Select(k => $"o.{k} = n.{k}"))}),
            kept AS (
              INSERT INTO layer_changes (run_id, layer, natural_key, change, fields, before, after)
              SELECT $1, $2, natural_key, change,
                     CASE WHEN change = 'changed' THEN fields ELSE ARRAY[]::text[] END,
                     -- a changed row keeps only the values that changed; one added or removed, all of them
                     CASE WHEN change = 'added' THEN NULL WHEN change = 'removed' THEN {Values("o")}
                          ELSE (SELECT jsonb_object_agg(f.key, f.value) FROM jsonb_each({Values("o")}) f WHERE f.key = ANY (fields)) END,
                     CASE WHEN change = 'removed' THEN NULL WHEN change = 'added' THEN {Values("n")}
                          ELSE (SELECT jsonb_object_agg(f.key, f.value) FROM jsonb_each({Values("n")}) f WHERE f.key = ANY (fields)) END
              FROM diff WHERE change <> 'changed' OR cardinality(fields) > 0
              RETURNING change)
            SELECT count(*) FILTER (WHERE change = 'added'), count(*) FILTER (WHERE change = 'changed'), count(*) FILTER (WHERE change = 'removed')
            FROM kept
            """;
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { Parameters = { new() { Value = runId }, new() { Value = spec.Name } } };
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    /// <summary>The counts with the first rows changed for the report (a dry run's too, though its rows roll back with it).</summary>
    public static async Task<ChangeCounts> WithFirstRowsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LayerSpec spec, long runId, ChangeCounts counts, CancellationToken ct)
    {
        await using (var cmd = new NpgsqlCommand($"""
            SELECT natural_key, change, fields FROM layer_changes WHERE run_id = $1 AND layer = $2
            ORDER BY change, natural_key LIMIT {ReportedRows}
            """, conn, tx) { Parameters = { new() { Value = runId }, new() { Value = spec.Name } } })
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) counts.Rows.Add(new ChangedRow(r.GetString(0), r.GetString(1), r.GetFieldValue<string[]>(2)));
        return counts;
    }
}
