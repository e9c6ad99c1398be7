using System.Collections.Concurrent;
using System.IO.Compression;
using Npgsql;

namespace WardMap.Tiles;

/// <summary>A built tile: gzip-compressed MVT bytes (empty when the tile has no features) and its ETag.</summary>
public sealed record Tile(byte[] Gzipped, string ETag, bool FromCache)
{
    public bool IsEmpty => Gzipped.Length == 0;
}

/// <summary>
/// Tiles without HTTP: cache -> (one build per missing tile, however many ask) -> one SQL statement ->
/// gzip -> cache. Usable from the server, the bench and tests alike.
/// </summary>
public sealed class TileService(NpgsqlDataSource db, TileCache cache, LayerVersionWatcher versions)
{
    readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _building = new();
    public TileCache Cache => cache;
    public long Builds;

    /// <summary>The ETag of a layer set's current data: it changes when any of the layers' data does.</summary>
    public string ETagFor(IReadOnlyList<TileLayer> layers, bool officer) =>
        $"\"{(officer ? "o" : "p")}-{string.Join(".", layers.Select(l => versions.VersionOf(l.DataVersionOf)))}\"";

    public async Task<Tile> GetAsync(IReadOnlyList<TileLayer> layers, int z, int x, int y, bool officer, CancellationToken ct)
    {
        if (!versions.Loaded) await versions.RefreshAsync(ct);
        var etag = ETagFor(layers, officer);
        var key = $"{string.Join(",", layers.Select(l => l.Name))}/{z}/{x}/{y}/{etag}";
        if (cache.TryGet(key, out var hit)) return new Tile(hit, etag, true);

        var build = _building.GetOrAdd(key, _ => new Lazy<Task<byte[]>>(() => BuildAsync(layers, z, x, y, officer)));
        try
        {
            var bytes = await build.Value.WaitAsync(ct);
            cache.Put(key, bytes, layers.Select(l => l.Name).ToArray());
            return new Tile(bytes, etag, false);
        }
        finally { _building.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(key, build)); }
    }

    /// <summary>Runs the tile's SQL and gzips the result (not cancelled by one client: others may wait on it).</summary>
    public async Task<byte[]> BuildAsync(IReadOnlyList<TileLayer> layers, int z, int x, int y, bool officer)
    {
        Interlocked.Increment(ref Builds);
        var mvt = await RawAsync(db, layers, z, x, y, officer, CancellationToken.None);
        return mvt.Length == 0 ? mvt : Gzip(mvt);
    }

    /// <summary>The uncompressed MVT bytes straight from PostGIS.</summary>
    public static async Task<byte[]> RawAsync(NpgsqlDataSource db, IReadOnlyList<TileLayer> layers, int z, int x, int y, bool officer, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(TileSql.For(layers, z, officer));
        cmd.Parameters.AddWithValue(z);
        cmd.Parameters.AddWithValue(x);
        cmd.Parameters.AddWithValue(y);
        return (byte[])(await cmd.ExecuteScalarAsync(ct))!;
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
