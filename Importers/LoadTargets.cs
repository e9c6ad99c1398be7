using Npgsql;
using NpgsqlTypes;
using NetTopologySuite.Geometries;
using WardMap.Importers.Layers;

namespace WardMap.Importers;

/// <summary>Where an import's COPY rows go, and how they become the live layer inside the import's transaction.</summary>
abstract class LoadTarget(NpgsqlConnection conn, NpgsqlTransaction tx, LayerSpec spec, IReadOnlyList<StagedColumn> columns, long runId)
{
    protected NpgsqlConnection Conn { get; } = conn;
    protected NpgsqlTransaction Tx { get; } = tx;
    protected LayerSpec Spec { get; } = spec;
    protected IReadOnlyList<StagedColumn> Columns { get; } = columns;
    protected long RunId { get; } = runId;

    public abstract string CopyCommand { get; }
    public abstract ValueTask WriteAsync(NpgsqlBinaryImporter copy, object?[] row, CancellationToken ct);
    /// <summary>Makes the loaded rows the layer; returns how many rows of the old layer are gone.</summary>
    public abstract Task<long> FinishAsync(CancellationToken ct);
    /// <summary>The next file's rows follow, giving values to these columns (RowConverter.ProvidedColumns).</summary>
    public virtual void BeginFile(IEnumerable<string> provided) { }

    /// <summary>
    /// Writes what the loaded rows change in the layer, row by row (LayerChanges), before they become it. A layer
    /// loaded for the first time has no history to keep: it is counted, not listed row by row.
    /// </summary>
    public async Task<ChangeCounts> RecordChangesAsync(long rowsLoaded, CancellationToken ct)
    {
        await using (var any = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Spec.Table})", Conn, Tx))
            if (!(bool)(await any.ExecuteScalarAsync(ct))!) return new ChangeCounts(rowsLoaded, 0, 0);
        var (added, changed, removed) = await CompareAsync(ct);
        return await LayerChanges.WithFirstRowsAsync(Conn, Tx, Spec, RunId, new ChangeCounts(added, changed, removed), ct);
    }

    protected abstract Task<(long Added, long Changed, long Removed)> CompareAsync(CancellationToken ct);

    /// <summary>
    /// Synchronous writes only fill Npgsql's buffer (it flushes when full); typed writes let Npgsql reuse
    /// its converter instead of resolving one per boxed value.
    /// </summary>
    protected void WriteValues(NpgsqlBinaryImporter copy, object?[] row)
    {
        for (int i = 0; i < row.Length; i++)
        {
            switch (row[i])
            {
                case null: copy.WriteNull(); break;
                case string s: copy.Write(s, Columns[i].DbType); break;
                case int n: copy.Write(n, NpgsqlDbType.Integer); break;
                case decimal d: copy.Write(d, NpgsqlDbType.Numeric); break;
                case Geometry g: copy.Write(g, NpgsqlDbType.Geometry); break;
                case var other: copy.Write(other, Columns[i].DbType); break;
            }
        }
    }

    protected string ColumnList => string.Join(", ", Columns.Select(c => c.Name));
}

/// <summary>
/// Replace: rows go straight into {table}__load, a new table like the live one. Ids of rows whose natural
/// key the live table has are carried over (tile feature ids and links survive a re-import); new rows
/// draw from the table's sequence. At the end the keys, indexes and foreign keys are built in bulk and
/// the new table takes the live one's place: readers see the old layer until commit.
/// </summary>
sealed class NewTableTarget : LoadTarget
{
    readonly RowConverter _converter;
    readonly Dictionary<string, long> _liveIds;
    readonly Queue<long> _freshIds = new();
    string T => Spec.Table;

    NewTableTarget(NpgsqlConnection conn, NpgsqlTransaction tx, LayerSpec spec, RowConverter converter, long runId, Dictionary<string, long> ids)
        : base(conn, tx, spec, converter.StagedColumns, runId) => (_converter, _liveIds, LiveRows) = (converter, ids, ids.Count);

    /// <summary>The rows the live layer has; and of them, those whose key the file has not had so far (removed at the swap).</summary>
    public long LiveRows { get; }
    public long Removing => _liveIds.Count;

    public static async Task<LoadTarget> CreateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LayerSpec spec, RowConverter converter, long runId, CancellationToken ct)
    {
        var t = spec.Table;
        await Importer.Exec(conn, tx, $"CREATE TABLE {t}__load (LIKE {t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)", ct);
        var ids = new Dictionary<string, long>();
        await using (var q = new NpgsqlCommand($"SELECT id, {string.Join(", ", spec.NaturalKey)} FROM {t}", conn, tx))
        await using (var r = await q.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                ids[RowConverter.JoinKey(Enumerable.Range(1, spec.NaturalKey.Length).Select(i => r.GetValue(i)))] = r.GetInt64(0);
        return new NewTableTarget(conn, tx, spec, converter, runId, ids);
    }

    public override string CopyCommand => $"COPY {T}__load (id, import_run_id, {ColumnList}) FROM STDIN (FORMAT BINARY)";

    // A replace is the whole layer: every column counts, and rows the file lacks are removed.
    protected override Task<(long, long, long)> CompareAsync(CancellationToken ct) =>
        LayerChanges.RecordAsync(Conn, Tx, Spec, Columns, $"{T}__load", removes: true, RunId, ct);

    public override async ValueTask WriteAsync(NpgsqlBinaryImporter copy, object?[] row, CancellationToken ct)
    {
        if (!_liveIds.Remove(_converter.KeyOf(row), out var id))
        {
            if (_freshIds.Count == 0) await DrawIdsAsync(ct);
            id = _freshIds.Dequeue();
        }
        copy.StartRow();
        copy.Write(id, NpgsqlDbType.Bigint);
        copy.Write(RunId, NpgsqlDbType.Bigint);
        WriteValues(copy, row);
    }

    // Ids for new rows, a batch at a time, on a second connection: the first is busy with the COPY.
    async Task DrawIdsAsync(CancellationToken ct)
    {
        await using var other = new NpgsqlConnection(Conn.ConnectionString);
        await other.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"SELECT nextval('{T}_id_seq') FROM generate_series(1, 2000)", other);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) _freshIds.Enqueue(r.GetInt64(0));
    }

    public override async Task<long> FinishAsync(CancellationToken ct)
    {
        var build = new List<string>();
        var afterSwap = new List<string>();   // once the new table has the name: constraint and index names, triggers
        await using (var q = new NpgsqlCommand($"""
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = '{T}'::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC, conname
            """, Conn, Tx))
        await using (var r = await q.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                build.Add($"ALTER TABLE {T}__load ADD CONSTRAINT {r.GetString(0)}__load {r.GetString(1)}");
                afterSwap.Add($"ALTER TABLE {T} RENAME CONSTRAINT {r.GetString(0)}__load TO {r.GetString(0)}");
            }
        await using (var q = new NpgsqlCommand($"""
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = '{T}'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            """, Conn, Tx))
        await using (var r = await q.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var (name, def) = (r.GetString(0), r.GetString(1));
                build.Add(def.Replace($"INDEX {name} ON ", $"INDEX {name}__load ON ").Replace($" ON public.{T} ", $" ON public.{T}__load "));
                afterSwap.Add($"ALTER INDEX {name}__load RENAME TO {name}");
            }
        // Triggers (the layer's data version, migration 0010) are made again on the new table once it has the name.
        await using (var q = new NpgsqlCommand($"SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = '{T}'::regclass AND NOT tgisinternal", Conn, Tx))
        await using (var r = await q.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) afterSwap.Add(r.GetString(0));
        foreach (var statement in build) await Importer.Exec(Conn, Tx, statement, ct);
        await Importer.Exec(Conn, Tx, $"""
            ALTER SEQUENCE {T}_id_seq OWNED BY NONE;
            DROP TABLE {T};
            ALTER TABLE {T}__load RENAME TO {T};
            ALTER SEQUENCE {T}_id_seq OWNED BY {T}.id;
            ALTER TABLE {T} ALTER COLUMN id SET DEFAULT nextval('{T}_id_seq'::regclass);
            {string.Join(";\n", afterSwap)};
            """, ct);
        return _liveIds.Count;   // live rows whose key the file did not have
    }
}

/// <summary>
/// Upsert: rows go into a temporary staging table, each with the number of the file it came from, then merge into the
/// live table by natural key, file by file: a row updated gets the values of the columns its file has and keeps the
/// others (a list of new owners leaves the addresses alone, even beside a file that has addresses).
/// </summary>
sealed class StagingTarget : LoadTarget
{
    readonly List<HashSet<string>> _files = new();   // the columns each file gives values to, in file order

    StagingTarget(NpgsqlConnection conn, NpgsqlTransaction tx, LayerSpec spec, IReadOnlyList<StagedColumn> columns, long runId)
        : base(conn, tx, spec, columns, runId) { }

    public static async Task<LoadTarget> CreateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RowConverter converter, long runId, CancellationToken ct)
    {
        var cols = converter.StagedColumns;
        await Importer.Exec(conn, tx, $"CREATE TEMP TABLE stage (file_no integer, {string.Join(", ", cols.Select(c => $"{c.Name} {c.SqlType}"))}) ON COMMIT DROP", ct);
        return new StagingTarget(conn, tx, converter.Spec, cols, runId);
    }

    public override string CopyCommand => $"COPY stage (file_no, {ColumnList}) FROM STDIN (FORMAT BINARY)";

    public override void BeginFile(IEnumerable<string> provided) => _files.Add(provided.ToHashSet());

    // Each file against the live rows, on the columns it has; an upsert removes nothing.
    protected override async Task<(long, long, long)> CompareAsync(CancellationToken ct)
    {
        long added = 0, changed = 0;
        for (int f = 0; f < _files.Count; f++)
        {
            var (a, c, _) = await LayerChanges.RecordAsync(Conn, Tx, Spec, Columns.Where(col => _files[f].Contains(col.Name)).ToList(),
                $"(SELECT * FROM stage WHERE file_no = {f})", removes: false, RunId, ct);
            (added, changed) = (added + a, changed + c);
        }
        return (added, changed, 0);
    }

    public override ValueTask WriteAsync(NpgsqlBinaryImporter copy, object?[] row, CancellationToken ct)
    {
        copy.StartRow();
        copy.Write(_files.Count - 1, NpgsqlDbType.Integer);
        WriteValues(copy, row);
        return ValueTask.CompletedTask;
    }

    public override async Task<long> FinishAsync(CancellationToken ct)
    {
        var cols = Columns.Select(c => c.Name).ToList();
        for (int f = 0; f < _files.Count; f++)
        {
            var updates = cols.Where(c => !Spec.NaturalKey.Contains(c) && _files[f].Contains(c)).Append("import_run_id").Select(c => $"{c} = EXCLUDED.{c}");
            await Importer.Exec(Conn, Tx, $"""
                INSERT INTO {Spec.Table} ({string.Join(", ", cols)}, import_run_id)
                SELECT {ColumnList}, $1 FROM stage WHERE file_no = {f}
                ON CONFLICT ({string.Join(", ", Spec.NaturalKey)}) DO UPDATE SET {string.Join(", ", updates)}
                """, ct, RunId);
        }
        return 0;
    }
}
