using Npgsql;

namespace WardMap.Tiles;

/// <summary>
/// Seeds the tile cache with the ward's overview: the styles' composite tiles (public variant) from zoom
/// <see cref="MinZoom"/> to <see cref="MaxZoom"/> over the ward's extent and one tile around it (a screen
/// centred on a small ward shows its surroundings too), when the server starts and again after the data of
/// any of those layers changes (an import invalidates their tiles; a field report does not). The viewer's
/// first view, the IOC's wall screens and widgets open on these zooms; seeded, the first visitor after a
/// restart or a nightly import gets them from memory instead of waiting on PostGIS (GeoWebCache and MapProxy
/// call this seeding). One tile at a time, so it never holds more than one connection or one core; a visitor
/// asking for a tile being seeded waits on the same build (<see cref="TileService"/> builds each missing tile once).
/// </summary>
public sealed class TileSeeder(TileService tiles, LayerVersionWatcher versions, NpgsqlDataSource db)
{
    public const int MinZoom = 12, Margin = 1;
    /// <summary>The deepest zoom seeded: the styles open at 15. Below <see cref="MinZoom"/> turns seeding off.</summary>
    public int MaxZoom { get; init; } = 15;
    /// <summary>A bound for an extent far larger than a ward (data for a whole province, or none: the world).</summary>
    public int MaxTiles { get; init; } = 256;
    /// <summary>How long the data must stay unchanged before a new pass (an import moves several layers in a row).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Tiles this seeder has put in the cache.</summary>
    public int Seeded;
    volatile string? _seededFor;   // the ETag of the composite layers' data the last pass covered

    static readonly IReadOnlyList<TileLayer> Composite = TileCatalog.Resolve(Styles.CompositeLayers).Layers!;
    string CurrentETag => tiles.ETagFor(Composite, officer: false);

    /// <summary>The last pass was over the overview's data as it is now.</summary>
    public bool IsCurrent => versions.Loaded && _seededFor == CurrentETag;

    public bool Enabled => MaxZoom >= MinZoom && tiles.Cache.CapacityBytes > 0;

    /// <summary>Runs until cancelled: a pass whenever the overview layers' data has moved and then settled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (!Enabled) return;
        try
        {
            while (true)
            {
                if (versions.Loaded && CurrentETag is var etag && etag != _seededFor)
                {
                    await Task.Delay(Settle, stop);
                    if (etag != CurrentETag) continue;   // still changing: wait for it to settle
                    try
                    {
                        await SeedAsync(stop);
                        _seededFor = etag;
                    }
                    catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                    {
                        // The database is away: visitors get their tiles built on demand; try again later.
                    }
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
        // A stop, also one during a start that failed (a busy port): the host would report a cancellation
        // it did not ask for as an unhandled error.
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>One pass: every overview tile not already cached is built and cached.</summary>
    public async Task SeedAsync(CancellationToken ct)
    {
        var extent = await WardExtent.ReadAsync(db, ct);
        var budget = MaxTiles;
        for (int z = MinZoom; z <= MaxZoom; z++)
        {
            var count = extent.TileCount(z, Margin);
            if (count > budget) break;   // deeper zooms only have more tiles
            budget -= (int)count;
            foreach (var (_, x, y) in extent.Tiles(z, Margin))
                if (!(await tiles.GetAsync(Composite, z, x, y, officer: false, ct)).FromCache) Interlocked.Increment(ref Seeded);
        }
    }
}
