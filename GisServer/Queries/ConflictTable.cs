using System.Collections.Concurrent;
using System.IO.Compression;
using Npgsql;

namespace WardMap.GisServer.Queries;

/// <summary>
/// The ward's planning conflicts (<see cref="PlanningQueries.Conflicts"/>) compare every parcel with every zone:
/// about a second of PostGIS on a ward, asked each time a planner opens the viewer. They change only when parcels
/// or zones are imported, so the last table is kept with the data versions it was built from.
/// </summary>
public sealed class ConflictTable(NpgsqlDataSource db)
{
    public sealed record Table(string Version, string[] Names, IReadOnlyList<object?[]> Rows)
    {
        readonly ConcurrentDictionary<(string Format, string? Encoding), byte[]> _bodies = new();

        /// <summary>
        /// The table written as a format (by <paramref name="write"/>), compressed with br or gzip or not at all:
        /// made once per version, since writing and packing the GeoJSON (1.8 MB on the sample ward) took longer
        /// than the answer it made.
        /// </summary>
        public byte[] Body(string format, string? encoding, Func<Table, byte[]> write) =>
            _bodies.GetOrAdd((format, encoding), k => k.Encoding is null ? write(this) : Compress(Body(format, null, write), k.Encoding));

        static byte[] Compress(byte[] data, string encoding)
        {
            using var packed = new MemoryStream();
            // Both at their default levels, once per version: 140 KB (br) and 145 KB (gzip) for that table, where
            // packing at the fastest level on each request gave 338 KB and 218 KB.
            using (Stream s = encoding == "br" ? new BrotliStream(packed, CompressionLevel.Optimal) : new GZipStream(packed, CompressionLevel.Optimal))
                s.Write(data);
            return packed.ToArray();
        }
    }

    // The land-use code table is reference data from the migrations: a new code comes with a new server.
    const string VersionSql = "SELECT string_agg(version::text, '.' ORDER BY layer) FROM layer_versions WHERE layer IN ('parcels', 'zones')";

    readonly SemaphoreSlim _building = new(1, 1);
    volatile Table? _last;

    /// <summary>The parcels' and zones' data versions now, e.g. "7.3": the ETag of the table.</summary>
    public async Task<string> VersionAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(VersionSql);
        return (await cmd.ExecuteScalarAsync(ct)) as string ?? "0";
    }

    /// <summary>
    /// The table for that version: the kept one, or built once however many planners ask at the same time.
    /// The version is read before the table, so a table is never older than the version it is kept under.
    /// </summary>
    public async Task<Table> GetAsync(string version, CancellationToken ct)
    {
        if (_last is { } last && last.Version == version) return last;
        await _building.WaitAsync(ct);
        try
        {
            if (_last is { } built && built.Version == version) return built;
            await using var cmd = db.CreateCommand(PlanningQueries.Conflicts);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<object?[]>();
            while (await r.ReadAsync(ct)) { var v = new object?[r.FieldCount]; r.GetValues(v!); rows.Add(v); }
            var names = Enumerable.Range(0, r.FieldCount).Select(r.GetName).ToArray();
            return _last = new Table(version, names, rows);
        }
        finally { _building.Release(); }
    }
}
