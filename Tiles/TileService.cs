using System.Collections.Concurrent;
using System.IO.Compression;
using Npgsql;

namespace WardMap.Tiles;

/// <summary>A built tile: gzip-compressed MVT bytes (empty when the tile has no features) and its ETag.</summary>
public sealed record Tile(byte[] Gzipped, string ETag, bool FromCache, double DatabaseMs = 0, double GzipMs = 0)
{
    public bool IsEmpty => Gzipped.Length == 0;
}

/// <summary>
/// Tiles without HTTP: cache -> (one build per missing tile, however many ask) -> one SQL statement ->
/// gzip -> cache. Usable from the server, the bench and tests alike.
/// </summary>
public sealed class TileService(NpgsqlDataSource db, TileCache cache, LayerVersionWatcher versions)
{
    readonly ConcurrentDictionary<string, Lazy<Task<(byte[] Bytes, double DbMs, double GzMs)>>> _building = new();
    public TileCache Cache => cache;
    public long Builds;

    // ETags per layer set, remembered for the versions they were made from (a new snapshot recomputes).
    readonly ConcurrentDictionary<(IReadOnlyList<TileLayer>, bool), (object Versions, string ETag, string Names)> _etags = new();

    /// <summary>The ETag of a layer set's current data: it changes when any of the layers' data does.</summary>
    /// <summary>
    /// The tile's ETag, from its layers' data versions and the variant. A tile sent plain (not gzip) is another
    /// representation of the same data with its own strong ETag (RFC 9110 §8.8.3), so a 304 meant for one never
    /// confirms the other in a cache.
    /// </summary>
    public string ETagFor(IReadOnlyList<TileLayer> layers, bool officer, bool gzip = true)
    {
        var etag = Describe(layers, officer).ETag;
        return gzip ? etag : etag.Insert(etag.Length - 1, "-plain");
    }

    (object Versions, string ETag, string Names) Describe(IReadOnlyList<TileLayer> layers, bool officer)
    {
        var snapshot = versions.Snapshot;
        if (_etags.TryGetValue((layers, officer), out var known) && ReferenceEquals(known.Versions, snapshot)) return known;
        var etag = $"\"{(officer ? "o" : "p")}-{string.Join(".", layers.Select(l => versions.VersionOf(l.DataVersionOf)))}\"";
        return _etags[(layers, officer)] = (snapshot, etag, string.Join(",", layers.Select(l => l.Name)));
    }

    public async Task<Tile> GetAsync(IReadOnlyList<TileLayer> layers, int z, int x, int y, bool officer, CancellationToken ct)
    {
        if (!versions.Loaded) await versions.RefreshAsync(ct);
        var (_, etag, names) = Describe(layers, officer);
        var key = $"{names}/{z}/{x}/{y}/{etag}";
        if (cache.TryGet(key, out var hit)) return new Tile(hit, etag, true);

        var build = _building.GetOrAdd(key, _ => new(() => BuildAsync(layers, z, x, y, officer)));
        try
        {
            var (bytes, dbMs, gzMs) = await build.Value.WaitAsync(ct);
            cache.Put(key, bytes, layers.Select(l => l.Name).ToArray());
            return new Tile(bytes, etag, false, dbMs, gzMs);
        }
        finally { _building.TryRemove(new KeyValuePair<string, Lazy<Task<(byte[], double, double)>>>(key, build)); }
    }

    /// <summary>
    /// Runs the tile's SQL and gzips the MVT as it arrives (not cancelled by one client: others may wait on it).
    /// The bytes stream from Npgsql's buffer into the compressor: a z15 tile is 130 KB raw, and reading it
    /// into an array first put one large-object-heap array per tile in the garbage collector's way.
    /// </summary>
    async Task<(byte[] Bytes, double DbMs, double GzMs)> BuildAsync(IReadOnlyList<TileLayer> layers, int z, int x, int y, bool officer)
    {
        Interlocked.Increment(ref Builds);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var cmd = db.CreateCommand(TileSql.For(layers, z, officer));
        AddTileParameters(cmd, z, x, y);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        await reader.ReadAsync();
        var dbMs = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        start = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var mvt = await reader.GetStreamAsync(0);
        if (mvt.Length == 0) return ([], dbMs, 0);
        using var gzipped = new MemoryStream((int)Math.Min(mvt.Length / 2 + 64, 64 * 1024));
        using (var gz = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true)) await mvt.CopyToAsync(gz);
        return (gzipped.ToArray(), dbMs, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>The uncompressed MVT bytes straight from PostGIS.</summary>
    public static async Task<byte[]> RawAsync(NpgsqlDataSource db, IReadOnlyList<TileLayer> layers, int z, int x, int y, bool officer, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(TileSql.For(layers, z, officer));
        AddTileParameters(cmd, z, x, y);
        return (byte[])(await cmd.ExecuteScalarAsync(ct))!;
    }

    static void AddTileParameters(NpgsqlCommand cmd, int z, int x, int y)
    {
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = z });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = x });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = y });
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream(data.Length / 2 + 64);
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
