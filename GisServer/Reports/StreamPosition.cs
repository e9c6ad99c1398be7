using System.Globalization;
using System.Text.RegularExpressions;

namespace WardMap.GisServer.Reports;

/// <summary>
/// Where a report stream stands in the reports' history: the newest row it has sent (Top), and the lower ids it
/// has not seen yet (Awaited). A history row takes its id from a sequence when it is inserted, not when it
/// commits, so a status change that commits a moment after a later one arrives with a lower id than rows already
/// sent; a stream that only asked for ids above the last one sent would lose it. An awaited id is sent when it
/// appears, or given up after <see cref="GapWait"/> (its transaction rolled back, or the row was deleted).
/// Written "top" or "top-a.b.c" (the awaited ids): the SSE event id a browser hands back when it reconnects, and
/// the list's last_event_id.
/// </summary>
public sealed partial class StreamPosition
{
    /// <summary>How far below a row's id an earlier transaction may still be in flight (ids, not time).</summary>
    public const int Lookback = 1000;
    /// <summary>Awaited ids written into a position: the newest ones, the likeliest still to come.</summary>
    const int Written = 100;
    /// <summary>A report's transaction lasts milliseconds; an id missing this long is not coming.</summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(30);

    readonly SortedDictionary<long, DateTime> _awaited = new();   // id -> when it was first missed
    public long Top { get; private set; }
    public long[] Awaited => [.. _awaited.Keys];

    /// <summary>
    /// The history's head as a position, in the statement's snapshot: the newest id and the ids below it that are
    /// not there (an SQL expression of type text).
    /// </summary>
    public static readonly string HeadSql = $"""
        (SELECT top::text || COALESCE('-' || (SELECT string_agg(g::text, '.' ORDER BY g) FROM (
                SELECT g FROM generate_series(GREATEST(top - {Lookback - 1}, 1), top - 1) g
                EXCEPT SELECT id FROM field_report_history WHERE id > top - {Lookback}
                ORDER BY g DESC LIMIT {Written}) missing), '')
         FROM (SELECT COALESCE(max(id), 0) AS top FROM field_report_history) head)
        """;

    [GeneratedRegex(@"^(\d{1,18})(?:-(\d{1,18}(?:\.\d{1,18})*))?$")]
    private static partial Regex Format();

    /// <summary>Reads a written position; the awaited ids must lie below the top, within the lookback.</summary>
    public static bool TryParse(string? text, DateTime now, out StreamPosition position)
    {
        position = new StreamPosition();
        if (text is null || Format().Match(text) is not { Success: true } m) return false;
        position.Top = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        if (!m.Groups[2].Success) return true;
        foreach (var part in m.Groups[2].Value.Split('.'))
        {
            var id = long.Parse(part, CultureInfo.InvariantCulture);
            if (id >= position.Top || id <= position.Top - Lookback) return false;
            position._awaited[id] = now;
        }
        return true;
    }

    /// <summary>A row has been sent: no longer awaited, or a new top with the ids it skipped now awaited.</summary>
    public void Sent(long id, DateTime now)
    {
        if (_awaited.Remove(id) || id <= Top) return;
        for (var skipped = Math.Max(Top + 1, id - Lookback + 1); skipped < id; skipped++) _awaited[skipped] = now;
        Top = id;
        while (_awaited.Count > 0 && _awaited.First().Key <= Top - Lookback) _awaited.Remove(_awaited.First().Key);
    }

    /// <summary>Gives up the ids awaited longer than <see cref="GapWait"/>; whether any were.</summary>
    public bool Expire(DateTime now)
    {
        var gone = _awaited.Where(a => now - a.Value >= GapWait).Select(a => a.Key).ToList();
        foreach (var id in gone) _awaited.Remove(id);
        return gone.Count > 0;
    }

    public override string ToString() => _awaited.Count == 0 ? Top.ToString(CultureInfo.InvariantCulture)
        : $"{Top}-{string.Join('.', _awaited.Keys.Reverse().Take(Written).Reverse())}";
}
