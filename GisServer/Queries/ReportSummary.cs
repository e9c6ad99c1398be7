using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using WardMap.GisServer.Reports;
using WardMap.Tiles;

namespace WardMap.GisServer.Queries;

/// <summary>
/// Reports counted as Vietnamese portals publish them (chờ tiếp nhận, đang xử lý, đã xử lý, từ chối —
/// field-reports.md): by status; open ones past a deadline; those resolved, and resolved by their due time; by
/// category and by residential group (its leader is the first contact). Every open viewer asks again after a burst
/// of report events, and a ward's years of reports (100,000) take PostGIS a quarter of a second: one answer is made
/// per query and reports' version (which also moves when a deadline passes), however many ask.
/// </summary>
public sealed class ReportSummary(NpgsqlDataSource db, LayerVersionWatcher versions)
{
    const int Kept = 64;   // queries remembered (months, groups); past that, all are dropped and made again
    readonly ConcurrentDictionary<string, (long Version, Lazy<Task<string>> Json)> _made = new();

    /// <summary>The summary as JSON, over <c>field_reports f</c> and the list's filter (ReportEndpoints.Filter).</summary>
    public Task<string> GetAsync(string filter, IReadOnlyList<(string Name, object Value)> args, CancellationToken ct)
    {
        if (!versions.Loaded) return CountAsync(filter, args, ct);
        var version = versions.VersionOf("field_reports");   // read first: the counts are at least this new
        var key = string.Join("|", args.Select(a => $"{a.Name}={Convert.ToString(a.Value, CultureInfo.InvariantCulture)}").Prepend(filter));
        if (_made.Count > Kept) _made.Clear();
        var made = _made.AddOrUpdate(key, _ => Make(), (_, old) => old.Version == version && !old.Json.Value.IsFaulted ? old : Make());
        // Made for everyone who asks: one client going away does not cancel it for the others.
        return made.Json.Value.WaitAsync(ct);

        (long, Lazy<Task<string>>) Make() => (version, new(() => CountAsync(filter, args, CancellationToken.None)));
    }

    async Task<string> CountAsync(string filter, IReadOnlyList<(string Name, object Value)> args, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            WITH f AS MATERIALIZED (
                SELECT f.status, f.category, f.group_code, f.due_at, {FieldReports.OpenSql} AS open, {FieldReports.OverdueForSql} AS overdue_for,
                       (SELECT min(h.at) FROM field_report_history h WHERE h.report_id = f.id AND h.to_status = 'resolved') AS resolved_at
                FROM field_reports f{filter}),
            counts AS (SELECT count(*) AS total, count(*) FILTER (WHERE open) AS open,
                              count(*) FILTER (WHERE overdue_for = 'acceptance') AS acceptance, count(*) FILTER (WHERE overdue_for = 'resolution') AS resolution,
                              count(resolved_at) AS resolved, count(*) FILTER (WHERE resolved_at <= due_at) AS on_time FROM f),
            statuses AS (SELECT status, count(*) AS n FROM f GROUP BY status),
            by_category AS (SELECT category, count(*) AS total, count(*) FILTER (WHERE open) AS open, count(overdue_for) AS overdue FROM f GROUP BY category),
            by_group AS (SELECT group_code, count(*) AS total, count(*) FILTER (WHERE open) AS open, count(overdue_for) AS overdue FROM f GROUP BY group_code)
            SELECT json_build_object(
                'total', c.total,
                'by_status', (SELECT json_object_agg(s.status, COALESCE(x.n, 0) ORDER BY s.i)
                              FROM unnest(@statuses::text[]) WITH ORDINALITY s(status, i) LEFT JOIN statuses x ON x.status = s.status),
                'open', c.open,
                'overdue', json_build_object('acceptance', c.acceptance, 'resolution', c.resolution),
                'resolved', c.resolved,
                'resolved_on_time', c.on_time,
                'by_category', (SELECT COALESCE(json_agg(json_build_object('category', x.category, 'name', k.name_vi, 'total', x.total, 'open', x.open,
                                                'overdue', x.overdue) ORDER BY x.total DESC, x.category), '[]'::json)
                                FROM by_category x LEFT JOIN report_categories k ON k.code = x.category),
                'by_group', (SELECT COALESCE(json_agg(json_build_object('group', x.group_code, 'name', g.name, 'total', x.total, 'open', x.open,
                                             'overdue', x.overdue) ORDER BY x.total DESC, x.group_code NULLS LAST), '[]'::json)
                             FROM by_group x LEFT JOIN residential_groups g ON g.code = x.group_code))::text
            FROM counts c
            """);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        cmd.Parameters.AddWithValue("statuses", FieldReports.Statuses);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
