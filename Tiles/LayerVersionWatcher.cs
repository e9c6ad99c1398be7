using Npgsql;
using WardMap.Db;

namespace WardMap.Tiles;

/// <summary>
/// The data version of every layer, kept in memory so a cached tile costs no database round trip.
/// Follows LISTEN wardmap_layer_versions (the trigger on layer_versions), and polls every few seconds in
/// case a notification was missed while the connection was down, and for report deadlines that passed.
/// </summary>
public sealed class LayerVersionWatcher(NpgsqlDataSource db, TileCache cache)
{
    volatile Dictionary<string, long> _versions = new();
    TaskCompletionSource _changed = NewSignal();
    readonly Lock _gate = new();
    // Field reports: the newest history id seen, and how many other moves there were: rows that came late (a row
    // takes its id when inserted, so one committing after a later one brings a lower id) and deadlines that passed
    // (an overdue report looks different on the map with no change to its row). Their version is both: it moves,
    // to a value not used before in this run, with every row that commits, whatever its order, and every deadline.
    long _reportsTop, _reportsMoves;
    DateTime? _nextDeadline;
    // Notifications counted, and the count at each layer's latest: a poll whose read began before a layer's
    // notification keeps the notified version rather than putting back the older one it read.
    long _notifications;
    readonly Dictionary<string, long> _notifiedAt = new();
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(5);

    public long VersionOf(string layer) => _versions.GetValueOrDefault(layer);
    public bool Loaded => _versions.Count > 0;
    /// <summary>The current versions as one object: replaced, never changed, when any version moves.</summary>
    public object Snapshot => _versions;

    /// <summary>
    /// Completes when any layer's version next moves (a new report, a status change, an import): live streams
    /// wait on this one listener instead of holding a database connection each while nothing happens.
    /// </summary>
    public Task Changed => _changed.Task;

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RefreshAsync(CancellationToken ct)
    {
        long began;
        lock (_gate) began = _notifications;
        var (fresh, deadline) = await LayerVersions.ReadAllAsync(db, ct);
        lock (_gate)
        {
            foreach (var (layer, at) in _notifiedAt)
                if (at > began && _versions.TryGetValue(layer, out var notified)) fresh[layer] = Math.Max(notified, fresh.GetValueOrDefault(layer));
            if (_nextDeadline <= DateTime.UtcNow) _reportsMoves++;   // a report became overdue since the last look
            _nextDeadline = deadline;
            if (fresh.TryGetValue("field_reports", out var newest)) fresh["field_reports"] = ReportsVersion(newest, notified: false);
            Apply(fresh);
        }
    }

    long ReportsVersion(long historyId, bool notified)
    {
        if (historyId > _reportsTop) _reportsTop = historyId;
        else if (notified) _reportsMoves++;
        return _reportsTop + (_reportsMoves << 40);
    }

    void Apply(Dictionary<string, long> fresh)
    {
        var old = _versions;
        // Unchanged versions keep their snapshot (the poll re-reads them every few seconds): TileService
        // remembers its ETags per snapshot.
        if (fresh.Count == old.Count && fresh.All(kv => old.TryGetValue(kv.Key, out var v) && v == kv.Value)) return;
        _versions = fresh;
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        foreach (var (layer, version) in fresh)
            if (old.TryGetValue(layer, out var before) && before != version)
                foreach (var tileLayer in TileCatalog.All.Where(l => l.DataVersionOf == layer))
                    cache.Forget(tileLayer.Name);
    }

    /// <summary>Runs until cancelled: listen, apply, poll; reconnects after a failure.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stop);
                conn.Notification += (_, e) =>
                {
                    // Field reports: a history row's id, or "edit" for a change straight in their table (0014),
                    // which moves their version as a late row does. Other layers: "layer:version" (layer_versions).
                    if (e.Channel == "wardmap_reports")
                        lock (_gate)
                            Apply(new Dictionary<string, long>(_versions) { ["field_reports"] = ReportsVersion(long.TryParse(e.Payload, out var row) ? row : 0, notified: true) });
                    else if (e.Payload.Split(':') is [var layer, var version] && long.TryParse(version, out var v))
                        lock (_gate)
                        {
                            _notifiedAt[layer] = ++_notifications;
                            Apply(new Dictionary<string, long>(_versions) { [layer] = v });
                        }
                };
                await using (var listen = new NpgsqlCommand("LISTEN wardmap_layer_versions; LISTEN wardmap_reports", conn)) await listen.ExecuteNonQueryAsync(stop);
                try
                {
                    await RefreshAsync(stop);
                    while (!stop.IsCancellationRequested)
                    {
                        // Wait for notifications; every PollEvery re-read the table as a safety net.
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                        timeout.CancelAfter(PollEvery);
                        try { await conn.WaitAsync(timeout.Token); }
                        catch (OperationCanceledException) when (!stop.IsCancellationRequested) { await RefreshAsync(stop); }
                    }
                }
                finally { await WardDatabase.UnlistenAsync(conn); }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(2), stop); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
