using System.Diagnostics;
using System.Threading.Channels;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using WardMap.Db;
using WardMap.Importers.Crs;
using WardMap.Importers.Layers;
using WardMap.Importers.Sources;

namespace WardMap.Importers;

/// <summary>What to import and how.</summary>
public sealed record ImportRequest(string Layer, string File)
{
    public string? Srs { get; init; }
    public string? MappingFile { get; init; }
    public string? Encoding { get; init; }
    /// <summary>The layer's other files, staged after <see cref="File"/> into the same replace (or upsert).</summary>
    public IReadOnlyList<string> MoreFiles { get; init; } = [];
    public IEnumerable<string> Files => MoreFiles.Prepend(File);
    /// <summary>Files a person sent over HTTP: the report names them as sent, not by the server's temporary folder.</summary>
    public bool Uploaded { get; init; }
    /// <summary>GeoPackage table to read (default: the first feature table).</summary>
    public string? SourceLayer { get; init; }
    /// <summary>groups: a CSV of population and households by group code.</summary>
    public string? PopulationCsv { get; init; }
    public bool DryRun { get; init; }
    /// <summary>Merge by natural key instead of replacing the layer.</summary>
    public bool Upsert { get; init; }
    /// <summary>Import even when the same file was already loaded, or when it would remove most of the layer.</summary>
    public bool Force { get; init; }
    public string Who { get; init; } = "cli";
    /// <summary>Rows farther than this outside the ward boundary are rejected.</summary>
    public double OutsideMarginM { get; init; } = 500;
    /// <summary>Declared parcel areas further than this from the measured area are flagged.</summary>
    public double AreaTolerancePct { get; init; } = 5;
    /// <summary>The TM-3 CRS for legal measurements when the file is not in one (the ward's CRS).</summary>
    public int MeasureSrid { get; init; } = 9210;
}

public sealed record ImportProgress(long Rows, long? Total, double RowsPerSecond);

/// <summary>
/// Loads one file into one layer: read row by row -> map fields -> validate/repair -> reproject ->
/// binary COPY into a temporary staging table -> one transaction merges it into the live table,
/// records the run and bumps the layer's data version. Any failure rolls back: the old data stays.
/// </summary>
public sealed class Importer(NpgsqlDataSource db)
{
    /// <summary>For tests: called after each staged row, inside the load transaction (throw to inject a failure).</summary>
    public Func<long, Task>? AfterRowStaged { get; set; }

    public async Task<ImportReport> RunAsync(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var spec = LayerCatalog.Get(request.Layer);
        string AsReported(string file) => request.Uploaded ? Path.GetFileName(file) : Path.GetFullPath(file);
        var clock = Stopwatch.StartNew();
        var report = new ImportReport
        {
            Layer = spec.Name,
            File = AsReported(request.File),
            Mode = request.DryRun ? "dry_run" : request.Upsert ? "upsert" : "replace",
        };
        report.MoreFiles.AddRange(request.MoreFiles.Select(AsReported));
        foreach (var file in request.Files)
            if (!File.Exists(file)) throw new ImportException(file, null, null, new("the file does not exist", "không có tệp này"));
        report.Sha256 = HashInputs(request);

        await using var conn = await db.OpenConnectionAsync(ct);
        // One import per layer at a time; a run left 'running' by a killed process is marked failed.
        await Exec(conn, null, "SELECT pg_advisory_lock(hashtext('wardmap-import:' || $1))", ct, spec.Name);
        try
        {
            await Exec(conn, null, """
                UPDATE import_runs SET status = 'failed', finished_at = now(),
                       report = report || '{"error": "interrupted before it finished; nothing of it was loaded",
                                            "error_vi": "bị ngắt giữa chừng; không dòng nào của lần nhập này được nạp"}'
                WHERE layer = $1 AND status = 'running'
                """, ct, spec.Name);

            if (!request.Force && !request.DryRun && await AlreadyLoadedAsync(conn, spec.Name, report, ct))
            {
                report.Status = "skipped";
                report.Notes.Add(new("the same file (sha256) is already loaded; pass --force to import it again",
                    "tệp này (cùng sha256) đã được nhập; muốn nhập lại thì chọn «Buộc nhập» (--force)"));
                report.RunId = await InsertRunAsync(conn, request, report, "skipped", ct);
                return report;
            }

            report.RunId = await InsertRunAsync(conn, request, report, "running", ct);
            report.Timings["open"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            try
            {
                await LoadAsync(conn, spec, request, report, progress, clock, ct);
                report.Seconds = clock.Elapsed.TotalSeconds;
                if (request.DryRun) await FinishRunAsync(conn, null, report, "dry_run", ct);
                return report;
            }
            catch (Exception e)
            {
                report.Status = "failed";
                report.Failure = e is ImportException ie ? ie.Describe() : e.Message;
                report.Seconds = clock.Elapsed.TotalSeconds;
                // The load's connection may be the thing that broke: record the failure on a fresh one.
                await using (var fresh = await db.OpenConnectionAsync(CancellationToken.None))
                    await FinishRunAsync(fresh, null, report, "failed", CancellationToken.None);
                throw;
            }
        }
        finally
        {
            // A broken session has released its advisory lock already.
            if (conn.State == System.Data.ConnectionState.Open)
                await Exec(conn, null, "SELECT pg_advisory_unlock(hashtext('wardmap-import:' || $1))", CancellationToken.None, spec.Name);
        }
    }

    async Task LoadAsync(NpgsqlConnection conn, LayerSpec spec, ImportRequest request, ImportReport report,
        IProgress<ImportProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        var reference = await ReferenceData.LoadAsync(conn, spec, request, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One layer in several files (a merged ward's parcels, one file per TM-3 zone) is staged file after file into
        // one target, so the replace takes them all at once; a key is one row across all of them.
        LoadTarget? target = null;
        var several = request.MoreFiles.Count > 0;
        var keys = new Dictionary<string, (string File, long Row)>();
        var crsList = new List<SourceCrs>();
        var rate = Stopwatch.StartNew();
        foreach (var file in request.Files)
        {
            var crs = await StageFileAsync(file);
            if (crs is not null && !crsList.Any(c => c.Srid == crs.Srid)) crsList.Add(crs);   // each file reads its own .prj
        }
        progress?.Report(new ImportProgress(report.RowsRead, null, report.RowsRead / Math.Max(rate.Elapsed.TotalSeconds, 1e-3)));
        report.Timings["stage"] = Math.Round(rate.Elapsed.TotalSeconds, 3);
        report.SourceCrs = crsList.Count == 0 ? null : string.Join(", ", crsList);
        report.SourceSrid = crsList.FirstOrDefault()?.Srid;

        // One file: read -> map fields -> validate/repair -> reproject -> COPY into the target; its CRS.
        async Task<SourceCrs?> StageFileAsync(string file)
        {
            using var source = FeatureSource.Open(file, new SourceOptions(request.Encoding, request.SourceLayer));
            Said Named(Said note) => several ? note.After($"{Path.GetFileName(file)}: ") : note;
            report.Notes.AddRange(source.Notes.Select(Named));
            var mapping = new FieldMapping(spec, source.FieldNames, request.MappingFile, file);
            for (int f = 0; f < spec.Fields.Length; f++)
            {
                var from = mapping.SourceIndex[f] >= 0 ? source.FieldNames[mapping.SourceIndex[f]] : mapping.Constants[f] is { } c ? $"= {c}" : "(none)";
                report.FieldMapping[spec.Fields[f].Column] = report.FieldMapping.TryGetValue(spec.Fields[f].Column, out var before) && before != from ? $"{before} | {from}" : from;
            }

            SourceCrs? crs = null;
            if (request.Srs is not null)
            {
                try { crs = CrsRegistry.FromEpsg(CrsRegistry.ParseSrid(request.Srs)); }
                catch (CrsException e) { throw new ImportException(file, null, request.Uploaded ? "srs" : "--srs", e.Said); }
                if (source.DeclaredCrs is { } declared && declared.Srid != crs.Srid)
                    report.Notes.Add(Named(new($"--srs {crs} overrides the file's own CRS {declared}",
                        $"dùng hệ tọa độ {crs} đã chọn (--srs) thay cho hệ tọa độ của tệp, {declared}")));
            }
            else crs = source.DeclaredCrs;

            // A parcels file in lon/lat measures each parcel already on the map in its own zone (RowConverter).
            if (spec.IsParcels && reference.ParcelZones is null && crs?.IsVn2000Tm3() != true) await reference.LoadParcelZonesAsync(conn, ct);
            Said? guessNote = null;
            var converter = new RowConverter(spec, mapping, source.FieldNames, reference, request, report, file, several, keys);
            // Replace loads straight into a new table built beside the live one (swapped in at the end);
            // upsert loads a temporary staging table and merges it by natural key.
            target ??= request.Upsert
                ? await StagingTarget.CreateAsync(conn, tx, converter, report.RunId, ct)
                : await NewTableTarget.CreateAsync(conn, tx, spec, converter, report.RunId, ct);
            target.BeginFile(converter.ProvidedColumns);
            report.Timings.TryAdd("prepare", Math.Round(clock.Elapsed.TotalSeconds, 3));

            // Three threads in a line, rows in file order: one parses the file, one prepares geometries
            // (validate, repair, measure, reproject), and this one maps fields, checks keys and writes COPY rows.
            var parsed = Channel.CreateBounded<SourceRecord>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
            var rows = Channel.CreateBounded<(SourceRecord Record, RowConverter.PreparedGeometry Geometry)>(
                new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
            var parser = Task.Run(async () =>
            {
                try
                {
                    foreach (var record in source.Read()) await parsed.Writer.WriteAsync(record, ct);
                    parsed.Writer.Complete();
                }
                catch (Exception e) { parsed.Writer.Complete(e); }
            }, ct);
            var preparer = Task.Run(async () =>
            {
                try
                {
                    await foreach (var record in parsed.Reader.ReadAllAsync(ct))
                    {
                        if (crs is null && record.Geometry is not null) crs = GuessCrs(record, file, out guessNote);
                        await rows.Writer.WriteAsync((record, converter.PrepareGeometry(record, crs)), ct);
                    }
                    rows.Writer.Complete();
                }
                catch (Exception e) { rows.Writer.Complete(e); }
            }, ct);
            await using (var copy = await conn.BeginBinaryImportAsync(target.CopyCommand, ct))
            {
                await foreach (var (record, geometry) in rows.Reader.ReadAllAsync(ct))
                {
                    report.RowsRead++;
                    var row = converter.Convert(record, geometry);
                    if (row is null) continue;
                    await target.WriteAsync(copy, row, ct);
                    report.RowsLoaded++;
                    if (AfterRowStaged is not null) await AfterRowStaged(report.RowsLoaded);
                    if (progress is not null && report.RowsRead % 500 == 0)
                        progress.Report(new ImportProgress(report.RowsRead, several ? null : source.Count, report.RowsRead / rate.Elapsed.TotalSeconds));
                }
                await Task.WhenAll(parser, preparer);
                await copy.CompleteAsync(ct);
            }
            if (guessNote is not null) report.Notes.Add(Named(guessNote));
            converter.CheckWholeFile(crs);
            return crs;
        }

        if (report.RowsLoaded == 0)
            throw new ImportException(request.File, null, null, report.RowsRead == 0
                ? new("the file has no rows; the layer was left as it was", "tệp không có dòng nào; lớp dữ liệu được giữ nguyên")
                : new($"none of its {report.RowsRead} rows could be loaded (first: row {report.Rejected[0].Row}, {report.Rejected[0].Reason}); the layer was left as it was",
                      $"không nạp được dòng nào trong {report.RowsRead} dòng của tệp (dòng đầu tiên: dòng {report.Rejected[0].Row}, {report.Rejected[0].Why.In(true)}); lớp dữ liệu được giữ nguyên"));

        // A replace removes what the file lacks: a file that is a part of the layer (one sheet, the new lights)
        // would take the rest with it. Most of a layer going needs saying so. A dry run says it in its report, beside
        // every row to fix, rather than stopping there.
        if (target is NewTableTarget { LiveRows: var live, Removing: var removing } && !request.Force && removing >= 10 && removing * 2 > live)
        {
            var why = new Said(
                $"its {report.RowsLoaded} row{(report.RowsLoaded == 1 ? "" : "s")} would replace the {live} of {spec.Name} and remove the {removing} ({100.0 * removing / live:0} %) " +
                "it does not have. If the file is the whole layer, import it with --force; to add or update rows and keep the others, " +
                "with --upsert (through the API: force=true, upsert=true)",
                $"{report.RowsLoaded} dòng của tệp sẽ thay cho {live} dòng đang có của lớp {spec.Name} và xóa {removing} dòng ({100.0 * removing / live:0} %) " +
                "không có trong tệp. Nếu tệp là cả lớp, hãy nhập với «Buộc nhập» (--force); muốn thêm hoặc cập nhật mà giữ các dòng khác, " +
                "chọn «Cập nhật theo mã» (--upsert)");
            if (!request.DryRun) throw new ImportException(request.File, null, null, why);
            report.Notes.Add(why.After("an import of this file would be refused: ", "nếu nhập thật, tệp này sẽ bị từ chối: "));
        }

        var changes = Stopwatch.StartNew();
        report.Changes = await target!.RecordChangesAsync(report.RowsLoaded, ct);
        report.Timings["changes"] = Math.Round(changes.Elapsed.TotalSeconds, 3);
        if (request.DryRun)
        {
            report.Status = "dry_run";
            await tx.RollbackAsync(ct);
            return;
        }

        var phase = Stopwatch.StartNew();
        report.RowsDeleted = await target!.FinishAsync(ct);
        if (spec.AfterImportSql is { } derived) await Exec(conn, tx, derived, ct);
        report.Timings["merge"] = Math.Round(phase.Elapsed.TotalSeconds, 3);
        report.DataVersion = await LayerVersions.ChangedAsync(conn, tx, spec.Table, ct);
        report.Status = "succeeded";
        report.Seconds = clock.Elapsed.TotalSeconds;
        await FinishRunAsync(conn, tx, report, "succeeded", ct);
        await Audit.WriteAsync(conn, tx, request.Who, "admin", "import", spec.Name,
            new { run = report.RunId, file = report.FileNames, report.Sha256, report.RowsLoaded, report.RowsRejected }, ct);
        phase.Restart();
        await tx.CommitAsync(ct);
        report.Timings["commit"] = Math.Round(phase.Elapsed.TotalSeconds, 3);
        // No ANALYZE here: on geometry it costs a quarter of a 25,000-row import, and autovacuum
        // analyses a freshly filled table within a minute.
    }

    /// <summary>With no CRS declared: plausible lon/lat is taken as WGS 84 (and said); anything else needs --srs.</summary>
    internal static SourceCrs GuessCrs(SourceRecord record, string file, out Said note)
    {
        var env = record.Geometry!.EnvelopeInternal;
        if (env.MinX >= -180 && env.MaxX <= 180 && env.MinY >= -90 && env.MaxY <= 90)
        {
            note = new("the file declares no CRS; its coordinates are longitude/latitude, read as WGS 84 (EPSG:4326, as RFC 7946 GeoJSON is)",
                "tệp không ghi hệ tọa độ; tọa độ của nó là kinh độ/vĩ độ nên được đọc theo WGS 84 (EPSG:4326, như GeoJSON theo RFC 7946)");
            return CrsRegistry.Wgs84;
        }
        throw new ImportException(file, record.Row, "geometry", new(
            $"the file declares no CRS and its coordinates ({env.MinX:0.###}, {env.MinY:0.###}) are not longitude/latitude; " +
            "pass --srs EPSG:NNNN (VN-2000 TM-3: 9209 for 105°30', 9210 for 105°45', 5899 for 107°45')",
            $"tệp không ghi hệ tọa độ và tọa độ của nó ({env.MinX:0.###}, {env.MinY:0.###}) không phải kinh độ/vĩ độ; " +
            "hãy ghi hệ tọa độ (--srs EPSG:NNNN; VN-2000 múi 3°: 9209 cho kinh tuyến trục 105°30', 9210 cho 105°45', 5899 cho 107°45')"));
    }

    /// <summary>
    /// Skip a file already loaded: a succeeded run of this layer with the same sha256 and mode, not
    /// superseded by a later replace of the layer with another file.
    /// </summary>
    static async Task<bool> AlreadyLoadedAsync(NpgsqlConnection conn, string layer, ImportReport report, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT EXISTS (
              SELECT 1 FROM import_runs r
              WHERE r.layer = $1 AND r.sha256 = $2 AND r.mode = $3 AND r.status = 'succeeded'
                AND NOT EXISTS (SELECT 1 FROM import_runs later
                                WHERE later.layer = $1 AND later.status = 'succeeded' AND later.id > r.id
                                  AND later.mode = 'replace' AND later.sha256 <> $2))
            """, conn);
        cmd.Parameters.AddWithValue(layer);
        cmd.Parameters.AddWithValue(report.Sha256);
        cmd.Parameters.AddWithValue(report.Mode);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    static async Task<long> InsertRunAsync(NpgsqlConnection conn, ImportRequest request, ImportReport report, string status, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO import_runs (layer, file, sha256, mode, status, who, report, finished_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $5 = 'running' THEN NULL ELSE now() END) RETURNING id
            """, conn);
        cmd.Parameters.AddWithValue(report.Layer);
        cmd.Parameters.AddWithValue(report.FileNames);
        cmd.Parameters.AddWithValue(report.Sha256);
        cmd.Parameters.AddWithValue(report.Mode);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue(request.Who);
        cmd.Parameters.Add(new NpgsqlParameter { Value = report.ToJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    static async Task FinishRunAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, ImportReport report, string status, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE import_runs SET status = $2, source_srid = $3, rows_read = $4, rows_loaded = $5, rows_repaired = $6,
                   rows_rejected = $7, report = $8, finished_at = now()
            WHERE id = $1
            """, conn, tx);
        cmd.Parameters.AddWithValue(report.RunId);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue((object?)report.SourceSrid ?? DBNull.Value);
        cmd.Parameters.AddWithValue((int)report.RowsRead);
        cmd.Parameters.AddWithValue(status == "succeeded" ? (int)report.RowsLoaded : 0);
        cmd.Parameters.AddWithValue((int)report.RowsRepaired);
        cmd.Parameters.AddWithValue((int)report.RowsRejected);
        cmd.Parameters.Add(new NpgsqlParameter { Value = report.ToJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>sha256 over the file and its sidecars (.dbf/.prj/.cpg of a shapefile, the population CSV).</summary>
    static string HashInputs(ImportRequest request)
    {
        var files = new List<string>();
        foreach (var file in request.Files)
        {
            files.Add(file);
            if (Path.GetExtension(file).Equals(".shp", StringComparison.OrdinalIgnoreCase))
                files.AddRange(new[] { ".shx", ".dbf", ".prj", ".cpg" }.Select(e => Path.ChangeExtension(file, e)).Where(File.Exists));
        }
        if (request.PopulationCsv is not null) files.Add(request.PopulationCsv);
        if (request.MappingFile is not null) files.Add(request.MappingFile);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var f in files)
        {
            using var s = File.OpenRead(f);
            int n;
            while ((n = s.Read(buffer)) > 0) sha.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    internal static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
