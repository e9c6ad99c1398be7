using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Npgsql;
using WardMap.Db;
using WardMap.GisServer.Auth;
using WardMap.GisServer.Queries;
using WardMap.GisServer.Reports;
using WardMap.Tiles;

namespace WardMap.GisServer.Endpoints;

/// <summary>
/// Residents' field reports: submit (public, exactly once per Idempotency-Key), follow, move along their
/// life (officers), a live stream for the IOC, and the Open311 GeoReport v2 subset for other apps.
/// </summary>
public static class ReportEndpoints
{
    /// <summary>A report as the public sees it (no contact data); officers also get the contact and who changed it.</summary>
    static readonly string ReportJson = $$"""
        json_build_object(
          'id', f.public_id, 'category', f.category, 'text', f.text, 'address', f.address,
          'lon', ST_X(f.location), 'lat', ST_Y(f.location), 'accuracy_m', f.accuracy_m, 'status', f.status,
          'next_statuses', {{FieldReports.NextStatusesSql}},
          'placement', f.placement, 'unit', f.unit, 'accept_by', f.accept_due_at, 'due_at', f.due_at,
          'overdue', {{FieldReports.OverdueSql}}, 'overdue_for', {{FieldReports.OverdueForSql}},
          'created_at', f.created_at, 'updated_at', f.updated_at, 'has_photo', f.photo_sha256 IS NOT NULL,
          'contact_name', CASE WHEN @officer THEN f.contact_name END, 'contact_phone', CASE WHEN @officer THEN f.contact_phone END,
          'history', (SELECT json_agg(json_build_object('at', h.at, 'from', h.from_status, 'to', h.to_status, 'reason', h.reason,
                              'who', CASE WHEN @officer THEN h.who END) ORDER BY h.id) FROM field_report_history h WHERE h.report_id = f.id))
        """;

    public static void Map(WebApplication app)
    {
        var g = app.MapGroup("/api/reports").WithTags("reports");
        g.MapPost("", Submit).DisableAntiforgery().RequireRateLimiting(SubmissionLimit.Policy)
            .WithSummary("Submit a field report (JSON, or multipart with a photo); Idempotency-Key makes retries safe. 201 with its placement.");
        g.MapGet("", List).WithSummary("Reports newest first, filtered by status, category, group, parcel, asset, bbox, overdue, open, since/until (a date in Việt Nam time, or a date-time); limit, then before=<id> (the `next` link) or offset; format=csv: every match, oldest first, as a spreadsheet without contact data.");
        g.MapGet("/summary", Summary).WithSummary("Counts for the IOC and the ward's account: by status, overdue (acceptance, resolution), resolved on time, by category and by residential group; the list's filters (a month: since=2026-11-01&until=2026-12-01).");
        g.MapGet("/stream", Stream).WithSummary("Server-Sent Events of new and changed reports for the IOC; resumes from Last-Event-ID.");
        g.MapGet("/{id:guid}", async (HttpContext ctx, Guid id, NpgsqlDataSource db, CancellationToken ct) =>
            await ViewAsync(db, id, ctx.User.SeesPersonalData(), ct) is { } json ? Results.Text(json, "application/json") : Problems.NotFound(new($"no report {id}", $"không có phản ánh {id}")))
            .WithSummary("One report (contact data for officers only).");
        g.MapPatch("/{id:guid}", Move).RequireAuthorization(Policies.Officer)
            .WithSummary("Move a report: {status: accepted | in_progress | resolved | rejected, reason}; 409 for a move its status does not allow.");
        g.MapGet("/{id:guid}/photo", async (Guid id, NpgsqlDataSource db, FieldReports reports, CancellationToken ct) =>
        {
            await using var cmd = db.CreateCommand("SELECT photo_sha256, photo_type FROM field_reports WHERE public_id = $1");
            cmd.Parameters.AddWithValue(id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct) || r.IsDBNull(0) || reports.PhotoPath(r.GetString(0)) is not { } path) return Problems.NotFound($"report {id} has no photo");
            return Results.File(path, r.IsDBNull(1) ? "application/octet-stream" : r.GetString(1));
        }).RequireAuthorization(Policies.Officer).WithSummary("The report's photo (officers).");

        var o = app.MapGroup("/open311/v2").WithTags("open311");
        // Names in Vietnamese, as residents see them; in English for a client that prefers it (the viewer in English, 0015).
        o.MapGet("/services.json", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var english = Problems.Prefers(http.Request, "en");
            http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
            http.Response.Headers.ContentLanguage = english ? "en" : "vi";
            return Sql.Json((await Sql.JsonAsync(db, """
                SELECT json_agg(json_build_object('service_code', code, 'service_name', name, 'description', name || ' — ' || unit,
                       'metadata', false, 'type', 'realtime', 'keywords', COALESCE(asset_kind, ''), 'group', priority) ORDER BY code)::text
                FROM (SELECT *, CASE WHEN @english THEN COALESCE(name_en, name_vi) ELSE name_vi END AS name FROM report_categories) c
                """, ct, ("english", english)))!);
        }).WithSummary("Open311: the service list (report categories), named in Vietnamese or, for Accept-Language: en, in English.");
        o.MapPost("/requests.json", Open311Post).DisableAntiforgery().RequireRateLimiting(SubmissionLimit.Policy).WithSummary("Open311: submit a service request (form fields service_code, lat, long, description, …).");
        o.MapGet("/requests.json", Open311List).WithSummary("Open311: service requests (status=open|closed, service_code, start_date).");
        o.MapGet("/requests/{id}.json", async (string id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!Guid.TryParse(id, out var gid)) return Problems.NotFound($"no request {id}");
            var json = await Open311Json(db, "WHERE f.public_id = @id", [("id", gid)], ct);
            return json == "[]" ? Problems.NotFound($"no request {id}") : Results.Text(json, "application/json");
        }).WithSummary("Open311: one service request.");
    }

    static readonly Said NotAccepted = new("Report not accepted", "Phản ánh chưa được tiếp nhận"),
        NoCategory = new("category is required (GET /open311/v2/services.json lists them)", "chưa chọn loại phản ánh (các loại có trong GET /open311/v2/services.json)"),
        NoLocation = new("lon and lat (WGS 84) are required", "cần vị trí: kinh độ và vĩ độ (lon, lat, WGS 84)"),
        StatusIsOneOf = new($"status must be one of {string.Join(", ", FieldReports.Statuses)}", $"trạng thái phải là một trong: {string.Join(", ", FieldReports.Statuses)}");

    static async Task<string?> ViewAsync(NpgsqlDataSource db, Guid id, bool officer, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {ReportJson}::text FROM field_reports f WHERE f.public_id = @id");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("officer", officer);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    static async Task<IResult> Submit(HttpContext ctx, FieldReports reports, NpgsqlDataSource db, CancellationToken ct)
    {
        NewReport report;
        var key = ctx.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        try { report = ctx.Request.HasFormContentType ? await FromForm(ctx.Request, key, ct) : await FromJson(ctx.Request, key, ct); }
        catch (ReportRejected e) { return Problems.Result(e.Status, NotAccepted, e.Why, new { field = e.Field }); }
        return await SubmitAndAnswer(ctx, reports, db, report, ct, open311: false);
    }

    static async Task<IResult> SubmitAndAnswer(HttpContext ctx, FieldReports reports, NpgsqlDataSource db, NewReport report, CancellationToken ct, bool open311)
    {
        try
        {
            var (id, created) = await reports.SubmitAsync(report, ct);
            if (open311)
                return Results.Json(new[] { new { service_request_id = id.ToString(), service_notice = "Đã tiếp nhận phản ánh", account_id = (string?)null } }, statusCode: 201);
            var json = (await ViewAsync(db, id, false, ct))!;
            ctx.Response.Headers.Location = $"/api/reports/{id}";
            return Results.Text(json, "application/json", Encoding.UTF8, 201);   // a retry gets the first answer, status included
        }
        catch (ReportRejected e) { return Problems.Result(e.Status, NotAccepted, e.Why, new { field = e.Field }); }
    }

    static async Task<NewReport> FromJson(HttpRequest request, string? key, CancellationToken ct)
    {
        var (body, error) = await GeoInput.BodyAsync(request, ct);
        if (error is not null) throw new ReportRejected(400, "body", error);
        if (body.ValueKind != JsonValueKind.Object) throw new ReportRejected(400, "body", GeoInput.NotAnObject);
        string? S(string n) => body.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        double? D(string n) => body.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        var category = S("category") ?? throw new ReportRejected(400, "category", NoCategory);
        var lon = D("lon") ?? throw new ReportRejected(400, "lon", NoLocation);
        var lat = D("lat") ?? throw new ReportRejected(400, "lat", NoLocation);
        return new NewReport(category, S("text") ?? "", lon, lat, D("accuracy_m"), S("accuracy_source"), S("address"), S("contact_name"), S("contact_phone"), null, null, key);
    }

    static async Task<NewReport> FromForm(HttpRequest request, string? key, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        double? D(string n) => double.TryParse(form[n], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        string? S(string n) => form[n].ToString() is { Length: > 0 } s ? s : null;
        var category = S("category") ?? throw new ReportRejected(400, "category", NoCategory);
        var lon = D("lon") ?? throw new ReportRejected(400, "lon", NoLocation);
        var lat = D("lat") ?? throw new ReportRejected(400, "lat", NoLocation);
        var (photo, type) = await PhotoAsync(form.Files.GetFile("photo"), ct);
        return new NewReport(category, S("text") ?? "", lon, lat, D("accuracy_m"), S("accuracy_source"), S("address"), S("contact_name"), S("contact_phone"), photo, type, key);
    }

    static async Task<(byte[]?, string?)> PhotoAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null) return (null, null);
        if (file.Length > 5 * 1024 * 1024) throw new ReportRejected(413, "photo", new("the photo is larger than 5 MB", "ảnh lớn hơn 5 MB"));
        using var ms = new MemoryStream();
        await file.CopyToAsync(ms, ct);
        var bytes = ms.ToArray();
        var type = FieldReports.PhotoType(bytes) ?? throw new ReportRejected(415, "photo", new("the photo must be a JPEG, PNG or WebP image", "ảnh phải là tệp JPEG, PNG hoặc WebP"));
        return (bytes, type);
    }

    static async Task<IResult> Move(HttpContext ctx, Guid id, FieldReports reports, NpgsqlDataSource db, CancellationToken ct)
    {
        var (body, error) = await GeoInput.BodyAsync(ctx.Request, ct);
        if (error is not null) return Problems.BadRequest(error);
        var to = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("status", out var s) ? s.GetString() : null;
        var reason = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("reason", out var r) ? r.GetString() : null;
        if (to is null || !FieldReports.Statuses.Contains(to)) return Problems.BadRequest(StatusIsOneOf, "status");
        if (to == "rejected" && string.IsNullOrWhiteSpace(reason)) return Problems.BadRequest(new("a rejection needs a reason the resident will read", "từ chối cần ghi lý do để người dân đọc"), "reason");
        var (found, moved, from) = await reports.MoveAsync(id, to, reason, ctx.User.Who(), ct);
        if (!found) return Problems.NotFound(new($"no report {id}", $"không có phản ánh {id}"));
        if (!moved) return Problems.Result(409, new("Not allowed now", "Chưa thể chuyển lúc này"), new($"a report that is {from} cannot become {to}", $"phản ánh đang ở trạng thái {from} không chuyển sang {to} được"), new { status = from });
        await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "report.status", id.ToString(), new { from, to, reason }, ct);
        return Results.Text((await ViewAsync(db, id, true, ct))!, "application/json");
    }

    /// <summary>
    /// The filters of the list, its spreadsheet and the summary, from the query string: status, category, residential
    /// group, bbox, overdue, open (not yet resolved or rejected), since/until, and the parcel or asset a report was
    /// placed on (the parcel panel's and an asset's reports).
    /// </summary>
    public sealed record ReportFilter(string? Status, string? Category, string? Group, string? Bbox, bool? Overdue, bool? Open,
        string? Since, string? Until, long? Parcel, long? Asset);

    /// <summary>
    /// The reports a query names, as SQL over <c>field_reports f</c> (" WHERE …", or nothing) and its arguments; or the
    /// 400 for a value that names none. The list, its spreadsheet and the summary read the same query.
    /// </summary>
    static IResult? Filter(ReportFilter q, out string filter, out List<(string, object)> args)
    {
        var where = new List<string>();
        args = [];
        filter = "";
        foreach (var (name, text, op) in new[] { ("since", q.Since, ">="), ("until", q.Until, "<") })
        {
            if (text is null) continue;
            if (When(text) is not { } at) return Problems.BadRequest(new($"{name} '{text}' is a date (2026-11-01, Việt Nam time) or a date-time (2026-11-01T08:00:00+07:00)",
                $"{name} '{text}' là một ngày (2026-11-01, giờ Việt Nam) hoặc ngày giờ (2026-11-01T08:00:00+07:00)"), name);
            where.Add($"f.created_at {op} @{name}"); args.Add((name, at.ToUniversalTime()));
        }
        if (q.Status is not null)
        {
            if (!FieldReports.Statuses.Contains(q.Status)) return Problems.BadRequest(StatusIsOneOf, "status");
            where.Add("f.status = @status"); args.Add(("status", q.Status));
        }
        if (q.Category is not null) { where.Add("f.category = @category"); args.Add(("category", q.Category)); }
        if (q.Group is not null) { where.Add("f.group_code = @group"); args.Add(("group", q.Group)); }
        if (q.Parcel is not null) { where.Add("f.parcel_id = @parcel"); args.Add(("parcel", q.Parcel)); }
        if (q.Asset is not null) { where.Add("f.asset_id = @asset"); args.Add(("asset", q.Asset)); }
        if (q.Overdue == true) where.Add(FieldReports.OverdueSql);
        if (q.Open is { } open) where.Add(open ? FieldReports.OpenSql : $"NOT {FieldReports.OpenSql}");
        if (q.Bbox is not null)
        {
            var b = q.Bbox.Split(',').Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
            if (b.Length != 4 || b.Any(double.IsNaN)) return Problems.BadRequest("bbox is minLon,minLat,maxLon,maxLat", "bbox");
            where.Add("f.location && ST_MakeEnvelope(@w, @s, @e, @n, 4326)");
            args.AddRange([("w", b[0]), ("s", b[1]), ("e", b[2]), ("n", b[3])]);
        }
        filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        return null;
    }

    static async Task<IResult> List(HttpContext ctx, [AsParameters] ReportFilter q, int? limit, int? offset, string? before, string? format,
        NpgsqlDataSource db, CancellationToken ct)
    {
        if (format is not (null or "json" or "csv")) return Problems.BadRequest("format is json (default) or csv", "format");
        if (Filter(q, out var filter, out var args) is { } problem) return problem;
        if (format == "csv") return await CsvAsync(db, filter, args, ct);
        if (Problems.BadLimit(limit, 500) is { } badLimit) return badLimit;
        var take = Math.Min(limit ?? 50, 500);
        if (offset < 0) return Problems.BadRequest("offset counts reports to skip: 0 or more", "offset");
        var skip = offset ?? 0;
        // before=<report id>: the page after that report in this order. Unlike an offset, reports that come in
        // while someone reads the list do not push entries they have seen onto their next page.
        var pageFilter = filter;
        if (before is not null)
        {
            if (!Guid.TryParse(before, out var after)) return Problems.BadRequest($"before '{before}' is not a report id", "before");
            if (offset is not null) return Problems.BadRequest("give before or offset, not both", "offset");
            pageFilter += (filter.Length > 0 ? " AND " : " WHERE ") +
                    "(f.created_at, f.id) < (SELECT b.created_at, b.id FROM field_reports b WHERE b.public_id = @before)";
            args.Add(("before", after));
        }
        // Newest first; the id breaks ties between reports sent in the same microsecond. One row more than
        // asked tells whether there is a next page (n counts from the first row, before the offset).
        // last_event_id is where the stream stood when this list was read (one statement, one snapshot; a
        // StreamPosition): /api/reports/stream?last_event_id= follows on with nothing missed.
        // The last column: does `before` exist?
        await using var cmd = db.CreateCommand($"""
            SELECT (SELECT count(*) FROM field_reports f{filter}),
                   COALESCE(json_agg(x.j ORDER BY x.created_at DESC, x.id DESC) FILTER (WHERE x.n <= {skip + take}), '[]'::json)::text,
                   count(*) > {take},
                   (array_agg(x.public_id ORDER BY x.created_at DESC, x.id DESC) FILTER (WHERE x.n <= {skip + take}))[{take}],
                   {StreamPosition.HeadSql},
                   {(before is null ? "true" : "EXISTS (SELECT 1 FROM field_reports b WHERE b.public_id = @before)")}
            FROM (SELECT f.created_at, f.id, f.public_id, row_number() OVER (ORDER BY f.created_at DESC, f.id DESC) AS n, {ReportJson} AS j
                  FROM field_reports f{pageFilter} ORDER BY f.created_at DESC, f.id DESC LIMIT {take + 1} OFFSET {skip}) x
            """);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        cmd.Parameters.AddWithValue("officer", ctx.User.SeesPersonalData());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (!r.GetBoolean(5)) return Problems.NotFound($"no report {before} to continue after");
        var next = r.GetBoolean(2) ? $"{ctx.Request.PathBase}{ctx.Request.Path}{NextQuery(ctx.Request.Query, r.GetGuid(3))}" : null;
        return Results.Text($"{{\"total\":{r.GetInt64(0)},\"limit\":{take},\"offset\":{skip},\"next\":{System.Text.Json.JsonSerializer.Serialize(next)},\"last_event_id\":{System.Text.Json.JsonSerializer.Serialize(r.GetString(4))},\"reports\":{r.GetString(1)}}}", "application/json");
    }

    /// <summary>The reports a query names, counted as Vietnamese portals publish them (ReportSummary). Public: no personal data.</summary>
    static async Task<IResult> Summary([AsParameters] ReportFilter q, ReportSummary summaries, CancellationToken ct)
    {
        if (Filter(q, out var filter, out var args) is { } problem) return problem;
        return Results.Text(await summaries.GetAsync(filter, args, ct), "application/json");
    }

    /// <summary>
    /// A date is that day from midnight in Việt Nam (a month's reports: since=2026-11-01&amp;until=2026-12-01); else an
    /// ISO 8601 date-time (UTC when it gives no offset). Nothing else: 01/11/2026 is November to a Vietnamese officer and
    /// January to a US parser, so it is refused rather than guessed.
    /// </summary>
    static DateTimeOffset? When(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7))
            : text.Length > 10 && text[10] is 'T' or 't' && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
              && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>
    /// Every matching report, oldest first, as a spreadsheet for the ward's monthly account to the city: what, where
    /// (group, parcel, road, asset), who handles it, when due and closed, in Việt Nam time. No contact data: a
    /// spreadsheet travels further than the API.
    /// </summary>
    static async Task<IResult> CsvAsync(NpgsqlDataSource db, string filter, List<(string, object)> args, CancellationToken ct)
    {
        static string Local(string at) => $"to_char({at} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')";
        await using var cmd = db.CreateCommand($"""
            SELECT f.public_id::text, {Local("f.created_at")}, f.category, c.name_vi, f.status, f.placement->>'priority',
                   f.group_code, f.placement->'parcel'->>'sheet_no', f.placement->'parcel'->>'parcel_no', f.placement->'road'->>'name',
                   f.placement->'asset'->>'code', f.unit, {Local("f.accept_due_at")}, {Local("f.due_at")}, {FieldReports.OverdueForSql},
                   {Local("closed.at")}, closed.reason, f.text, f.address, round(ST_X(f.location)::numeric, 7), round(ST_Y(f.location)::numeric, 7)
            FROM field_reports f LEFT JOIN report_categories c ON c.code = f.category
            LEFT JOIN LATERAL (SELECT h.at, h.reason FROM field_report_history h
                               WHERE h.report_id = f.id AND h.to_status IN ('resolved', 'rejected') ORDER BY h.id DESC LIMIT 1) closed ON true
            {filter}
            ORDER BY f.created_at, f.id
            """);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        var rows = new List<object?[]>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var row = new object?[r.FieldCount];
                r.GetValues(row!);
                rows.Add(row);
            }
        string[] columns = ["id", "created_at", "category", "category_name", "status", "priority", "group", "sheet_no", "parcel_no", "road",
                            "asset", "unit", "accept_by", "due_at", "overdue", "closed_at", "reason", "text", "address", "lon", "lat"];
        return Results.File(CsvFile.Bytes(columns, rows), "text/csv; charset=utf-8", "phan-anh.csv");
    }

    /// <summary>The same filter, continued after the page's last report.</summary>
    static string NextQuery(IQueryCollection query, Guid last) =>
        QueryString.Create(query.Where(q => q.Key is not ("before" or "offset")).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
            .Append(KeyValuePair.Create("before", (string?)last.ToString()))).ToString();

    const int Page = 500;   // history rows a stream reads at a time

    /// <summary>
    /// SSE: each history row is an event; its id is the stream's position (StreamPosition: the newest row sent, and
    /// any lower ids whose transactions had not committed yet, which are sent when they do). A reconnect hands the
    /// position back as Last-Event-ID and gets what it missed. A stream holds no database connection while it waits:
    /// the server's one listener (LayerVersionWatcher, LISTEN wardmap_reports) wakes every stream, which then reads
    /// what is new. Every open viewer and IOC screen has a stream, and a connection each would empty the pool that
    /// tiles and queries draw from. Streams end when the server stops (browsers reconnect after the retry), so a stop
    /// does not wait out the shutdown timeout.
    /// </summary>
    static async Task Stream(HttpContext ctx, NpgsqlDataSource db, LayerVersionWatcher versions, IHostApplicationLifetime life, CancellationToken aborted)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(aborted, life.ApplicationStopping);
        var ct = end.Token;
        var given = ctx.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : ctx.Request.Query["last_event_id"].ToString();
        StreamPosition position;
        if (given.Length > 0)
        {
            if (!StreamPosition.TryParse(given, DateTime.UtcNow, out position))
            {
                await Problems.BadRequest($"last event id '{given}' is not a position this stream gave (a list's last_event_id, or an event's id)", "last_event_id").ExecuteAsync(ctx);
                return;
            }
        }
        else
        {
            // A new client starts from now: the history's head, with the ids below it still in flight.
            await using var cmd = db.CreateCommand($"SELECT {StreamPosition.HeadSql}");
            StreamPosition.TryParse((string)(await cmd.ExecuteScalarAsync(ct))!, DateTime.UtcNow, out position);
        }
        // Writes take the client's token only: a write cancelled by the server's stop would abort the connection
        // (Kestrel cannot tell how much of it went out), where the stream should end as a response does.
        ctx.Response.Headers.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        await ctx.Response.WriteAsync(": WardMap field reports\nretry: 2000\n\n", aborted);
        await ctx.Response.Body.FlushAsync(aborted);
        try
        {
            // The reports' version (LayerVersionWatcher) moves with every history row that commits, in whatever
            // order: a stream reads only when it has moved since its last read, not on other layers' changes or
            // keep-alives. Until the listener has read the versions once (just after a start), it reads each time.
            long? readAt = null;
            while (!ct.IsCancellationRequested)
            {
                var changed = versions.Changed;   // taken before the read, so a change made during it is not missed
                var version = versions.VersionOf("field_reports");
                if (!versions.Loaded || version != readAt)
                {
                    while (await SendAfterAsync() == Page) { }
                    readAt = versions.Loaded ? version : null;
                }
                // Ids awaited too long are given up; the position without them is the one a reconnect hands back.
                if (position.Expire(DateTime.UtcNow)) await ctx.Response.WriteAsync($"id: {position}\n\n", aborted);
                await ctx.Response.Body.FlushAsync(aborted);
                // Wake on a change, or every 15 s to send a keep-alive (and look at the awaited ids again).
                try { await changed.WaitAsync(TimeSpan.FromSeconds(15), ct); }
                catch (TimeoutException) { await ctx.Response.WriteAsync(": keep-alive\n\n", aborted); }
            }
        }
        // The client went away, or the server stops: whatever a read or a wait threw then (Npgsql may wrap a
        // cancelled query), the stream ends here as a response.
        catch (Exception) when (ct.IsCancellationRequested) { }

        // The awaited rows that have come and the history after the top, a page at a time, as events; how many were sent.
        async Task<int> SendAfterAsync()
        {
            await using var cmd = db.CreateCommand($"""
                SELECT h.id, json_build_object('event_id', h.id, 'report', f.public_id, 'category', f.category, 'status', h.to_status, 'from', h.from_status,
                       'at', h.at, 'lon', ST_X(f.location), 'lat', ST_Y(f.location), 'group', f.group_code)::text
                FROM field_report_history h JOIN field_reports f ON f.id = h.report_id
                WHERE h.id > $1 OR h.id = ANY($2) ORDER BY h.id LIMIT {Page}
                """);
            cmd.Parameters.AddWithValue(position.Top);
            cmd.Parameters.AddWithValue(position.Awaited);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var sent = 0;
            while (await r.ReadAsync(ct))
            {
                position.Sent(r.GetInt64(0), DateTime.UtcNow);
                await ctx.Response.WriteAsync($"id: {position}\nevent: report\ndata: {r.GetString(1)}\n\n", aborted);
                sent++;
            }
            return sent;
        }
    }

    static async Task<IResult> Open311Post(HttpContext ctx, FieldReports reports, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!ctx.Request.HasFormContentType) return Problems.BadRequest("Open311 requests are form-encoded (service_code, lat, long, description, …)");
        var form = await ctx.Request.ReadFormAsync(ct);
        string? S(string n) => form[n].ToString() is { Length: > 0 } s ? s : null;
        double? D(string n) => double.TryParse(form[n], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        if (S("service_code") is not { } code) return Problems.BadRequest(new("service_code is required", "chưa chọn loại phản ánh (service_code)"), "service_code");
        if (D("lat") is not { } lat || D("long") is not { } lon) return Problems.BadRequest(new("lat and long are required (this server does not geocode address_string)",
            "cần vị trí: vĩ độ và kinh độ (lat, long); máy chủ này không tìm vị trí theo địa chỉ (address_string)"), "lat");
        var key = ctx.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        (byte[]? photo, string? type) = (null, null);
        try { (photo, type) = await PhotoAsync(form.Files.GetFile("media"), ct); }
        catch (ReportRejected e) { return Problems.Result(e.Status, NotAccepted, e.Why, new { field = e.Field }); }
        var name = string.Join(" ", new[] { S("first_name"), S("last_name") }.Where(x => x is not null));
        var report = new NewReport(code, S("description") ?? "", lon, lat, D("accuracy_m"), "open311", S("address_string"),
            name.Length > 0 ? name : S("email"), S("phone"), photo, type, key);
        return await SubmitAndAnswer(ctx, reports, db, report, ct, open311: true);
    }

    static async Task<IResult> Open311List(string? status, string? service_code, DateTime? start_date, NpgsqlDataSource db, CancellationToken ct)
    {
        var where = new List<string>();
        var args = new List<(string, object)>();
        if (status is "open") where.Add(FieldReports.OpenSql);
        else if (status is "closed") where.Add($"NOT {FieldReports.OpenSql}");
        else if (status is not null) return Problems.BadRequest("status is open or closed", "status");
        if (service_code is not null) { where.Add("f.category = @code"); args.Add(("code", service_code)); }
        if (start_date is not null) { where.Add("f.created_at >= @start"); args.Add(("start", start_date.Value.ToUniversalTime())); }
        return Results.Text(await Open311Json(db, where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "", args, ct), "application/json");
    }

    static async Task<string> Open311Json(NpgsqlDataSource db, string where, IEnumerable<(string, object)> args, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT COALESCE(json_agg(json_build_object(
                'service_request_id', f.public_id, 'status', CASE WHEN {FieldReports.OpenSql} THEN 'open' ELSE 'closed' END,
                'status_notes', (SELECT h.reason FROM field_report_history h WHERE h.report_id = f.id ORDER BY h.id DESC LIMIT 1),
                'service_name', c.name_vi, 'service_code', f.category, 'description', f.text, 'agency_responsible', f.unit,
                'requested_datetime', f.created_at, 'updated_datetime', f.updated_at, 'expected_datetime', f.due_at,
                'address', f.address, 'lat', ST_Y(f.location), 'long', ST_X(f.location), 'wardmap_status', f.status) ORDER BY f.created_at DESC), '[]'::json)::text
            FROM (SELECT * FROM field_reports f {where} ORDER BY f.created_at DESC LIMIT 1000) f JOIN report_categories c ON c.code = f.category
            """);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
