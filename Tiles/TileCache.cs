namespace WardMap.Tiles;

/// <summary>
/// A least-recently-used cache of compressed tiles bounded by bytes (Martin's approach). Keys carry the
/// layers' data versions, so a new version simply misses; <see cref="Forget"/> drops a layer's old
/// entries at once so they do not hold memory until evicted.
/// </summary>
public sealed class TileCache(long capacityBytes)
{
    sealed record Entry(string Key, byte[] Bytes, string[] Layers);

    readonly Dictionary<string, LinkedListNode<Entry>> _map = new();
    readonly LinkedList<Entry> _lru = new();
    readonly Lock _lock = new();
    long _bytes;

    public long CapacityBytes => capacityBytes;
    public long Bytes { get { lock (_lock) return _bytes; } }
    public int Count { get { lock (_lock) return _map.Count; } }
    public long Hits, Misses;

    public bool TryGet(string key, out byte[] bytes)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                bytes = node.Value.Bytes;
                Interlocked.Increment(ref Hits);
                return true;
            }
        }
        Interlocked.Increment(ref Misses);
        bytes = [];
        return false;
    }

    public void Put(string key, byte[] bytes, string[] layers)
    {
        if (capacityBytes <= 0 || bytes.Length > capacityBytes / 8) return;
        lock (_lock)
        {
            if (_map.ContainsKey(key)) return;
            var node = _lru.AddFirst(new Entry(key, bytes, layers));
            _map[key] = node;
            _bytes += bytes.Length + key.Length * 2 + 64;
            while (_bytes > capacityBytes && _lru.Last is { } last) Remove(last);
        }
    }

    /// <summary>Drops every tile that contains this layer.</summary>
    public int Forget(string layer)
    {
        lock (_lock)
        {
            int n = 0;
            for (var node = _lru.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Layers.Contains(layer)) { Remove(node); n++; }
                node = next;
            }
            return n;
        }
    }

    void Remove(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _map.Remove(node.Value.Key);
        _bytes -= node.Value.Bytes.Length + node.Value.Key.Length * 2 + 64;
    }
}
