using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace WardMap.GisServer.Reports;

/// <summary>A resident's report as submitted (from the mini-app's JSON, a multipart form or Open311).</summary>
public sealed record NewReport(string Category, string Text, double Lon, double Lat, double? AccuracyM, string? AccuracySource,
    string? Address, string? ContactName, string? ContactPhone, byte[]? Photo, string? PhotoType, string? IdempotencyKey);

/// <summary>Why a report cannot be taken (in the resident's Vietnamese too), with the field to fix and the HTTP status to answer.</summary>
public sealed class ReportRejected(int status, string field, Said why) : Exception(why.En)
{
    public int Status { get; } = status;
    public string Field { get; } = field;
    public Said Why { get; } = why;
}

/// <summary>
/// Field reports (../shared/domain/field-reports.md): placed by PostGIS in one statement (ward, group,
/// parcel, road, asset, duplicates), routed by the editable category table, durable before the answer,
/// exactly once per Idempotency-Key, and every change kept in the history that feeds the IOC stream.
/// </summary>
public sealed class FieldReports(NpgsqlDataSource db, string photoDir)
{
    public const double FarOutsideMarginM = 200, DuplicateRadiusM = 30, AssetMarginM = 25;
    public static readonly string[] Statuses = ["new", "accepted", "in_progress", "resolved", "rejected"];

    /// <summary>
    /// The life of a report, the one place it is written: new -> accepted -> in_progress -> resolved, or rejected
    /// (with a reason) before resolved. Resolved and rejected reports move no more.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> Moves = new Dictionary<string, string[]>
    {
        ["new"] = ["accepted", "rejected"], ["accepted"] = ["in_progress", "rejected"], ["in_progress"] = ["resolved", "rejected"],
    };

    public static bool CanMove(string from, string to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>
    /// SQL over a report row <c>f</c>: the statuses it may move to next, made from <see cref="Moves"/>. A report's
    /// JSON carries them, so the viewer, the IOC and the mini-app offer the moves the server will take.
    /// </summary>
    public static readonly string NextStatusesSql = "CASE f.status "
        + string.Concat(Moves.Select(m => $"WHEN '{m.Key}' THEN ARRAY[{string.Join(", ", m.Value.Select(s => $"'{s}'"))}] "))
        + "ELSE '{}'::text[] END";

    /// <summary>SQL over a report row <c>f</c>: it is still open (has a move left), from <see cref="Moves"/>; resolved and rejected are closed.</summary>
    public static readonly string OpenSql = $"f.status IN ({string.Join(", ", Moves.Keys.Select(s => $"'{s}'"))})";

    /// <summary>
    /// SQL over a report row <c>f</c>: why it is late, or null — 'acceptance' while still new past its acknowledgement
    /// deadline (accept_due_at), else 'resolution' while open past its deadline for handling (due_at). One SQL
    /// function (migration 0013) for this and the report tiles.
    /// </summary>
    public const string OverdueForSql = "report_overdue_for(f.status, f.accept_due_at, f.due_at)";
    public const string OverdueSql = $"{OverdueForSql} IS NOT NULL";

    /// <summary>Where a point falls: the ward (with the fix's accuracy), group, parcel, road, asset of the category's kind, and open duplicates.</summary>
    static readonly string PlaceSql = $$"""
        WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(@lon, @lat), 4326) AS g, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography AS gg),
        cat AS (SELECT * FROM report_categories WHERE code = @category),
        ward AS (SELECT w.code, w.name, ST_Intersects(w.geom, pt.g) AS inside,
                        CASE WHEN ST_Intersects(w.geom, pt.g) THEN 0 ELSE ST_Distance(w.geom::geography, pt.gg) END AS distance_m
                 FROM ward_boundary w, pt ORDER BY w.geom <-> pt.g LIMIT 1),
        grp AS (SELECT g.code, g.name, g.leader, ST_Distance(g.geom::geography, pt.gg) AS distance_m
                FROM residential_groups g, pt ORDER BY g.geom <-> pt.g LIMIT 1),
        parcel AS (SELECT p.id, p.sheet_no, p.parcel_no, ST_Distance(p.geom::geography, pt.gg) AS distance_m
                   FROM parcels p, pt WHERE ST_DWithin(p.geom, pt.g, 0.0005) ORDER BY p.geom <-> pt.g LIMIT 1),
        road AS (SELECT r.id, r.code, r.name, ST_Distance(r.geom::geography, pt.gg) AS distance_m
                 FROM roads r, pt WHERE ST_DWithin(r.geom, pt.g, 0.002) ORDER BY r.geom <-> pt.g LIMIT 1),
        asset AS (SELECT a.id, a.kind, a.code, a.name, a.status, ST_Distance(a.geom::geography, pt.gg) AS distance_m
                  FROM assets a, pt, cat WHERE a.kind = cat.asset_kind
                    -- degrees first (1e-5° is over a metre here, so a superset, and the GiST index answers), then metres
                    AND ST_DWithin(a.geom, pt.g, (COALESCE(@accuracy, 10) + @asset_margin) / 100000.0)
                    AND ST_DWithin(a.geom::geography, pt.gg, COALESCE(@accuracy, 10) + @asset_margin)
                  ORDER BY a.geom <-> pt.g LIMIT 1),
        dup AS (SELECT json_agg(json_build_object('id', f.public_id, 'status', f.status, 'created_at', f.created_at,
                        'distance_m', round(ST_Distance(f.location::geography, pt.gg)::numeric, 1)) ORDER BY f.created_at DESC) AS list
                FROM field_reports f, pt WHERE f.category = @category AND {{OpenSql}}
                  AND f.created_at > now() - interval '7 days' AND ST_DWithin(f.location, pt.g, @dup_radius / 100000.0)
                  AND ST_DWithin(f.location::geography, pt.gg, @dup_radius))
        SELECT (SELECT row_to_json(cat) FROM cat)::text,
               (SELECT row_to_json(ward) FROM ward)::text,
               (SELECT row_to_json(grp) FROM grp)::text,
               (SELECT row_to_json(parcel) FROM parcel)::text,
               (SELECT row_to_json(road) FROM road)::text,
               (SELECT row_to_json(asset) FROM asset)::text,
               (SELECT list FROM dup)::text
        """;

    public sealed record Placement(string Ward, string? WardCode, string? WardName, double? WardDistanceM, JsonElement? Group, JsonElement? Parcel,
        JsonElement? Road, JsonElement? Asset, string Unit, string Priority, JsonElement Duplicates);

    /// <summary>Validates, places and stores a report (or returns the one already stored under its Idempotency-Key).</summary>
    public async Task<(Guid Id, bool Created)> SubmitAsync(NewReport r, CancellationToken ct)
    {
        if (r.Lon is < -180 or > 180 || !double.IsFinite(r.Lon)) throw new ReportRejected(400, "lon", new("lon must be a longitude from -180 to 180", "kinh độ (lon) phải từ -180 đến 180"));
        if (r.Lat is < -90 or > 90 || !double.IsFinite(r.Lat)) throw new ReportRejected(400, "lat", new("lat must be a latitude from -90 to 90", "vĩ độ (lat) phải từ -90 đến 90"));
        if (r.AccuracyM is < 0 or > 5000) throw new ReportRejected(400, "accuracy_m", new("accuracy_m is the GPS fix's radius in metres, from 0 to 5000", "độ chính xác của vị trí GPS (accuracy_m) là bán kính tính bằng mét, từ 0 đến 5000"));
        if (r.Text.Length > 4000) throw new ReportRejected(400, "text", new("text is at most 4000 characters", "nội dung phản ánh dài tối đa 4000 ký tự"));
        foreach (var (field, value, max, vi) in new[] { ("address", r.Address, 500, "địa chỉ"), ("contact_name", r.ContactName, 200, "tên người gửi"),
                                                          ("contact_phone", r.ContactPhone, 30, "số điện thoại"), ("accuracy_source", r.AccuracySource, 40, "nguồn vị trí") })
            if (value?.Length > max) throw new ReportRejected(400, field, new($"{field} is at most {max} characters", $"{vi} ({field}) dài tối đa {max} ký tự"));
        if (r.IdempotencyKey is { Length: > 200 }) throw new ReportRejected(400, "Idempotency-Key", new("the Idempotency-Key header is at most 200 characters", "tiêu đề Idempotency-Key dài tối đa 200 ký tự"));

        if (r.IdempotencyKey is not null && await FindByKeyAsync(r.IdempotencyKey, ct) is { } earlier) return (earlier, false);

        await using var conn = await db.OpenConnectionAsync(ct);
        var (category, placement, dueHours, acceptHours) = await PlaceAsync(conn, r, ct);
        string? photoHash = r.Photo is null ? null : await StorePhotoAsync(r.Photo, ct);

        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO field_reports (idempotency_key, category, text, address, location, accuracy_m, accuracy_source, photo_sha256, photo_type,
                                       contact_name, contact_phone, placement, group_code, parcel_id, asset_id, road_id, unit, due_at, accept_due_at)
            VALUES (@key, @category, @text, @address, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @accuracy, @source, @photo, @photo_type,
                    @contact_name, @contact_phone, @placement, @group, @parcel, @asset, @road, @unit, @due, @accept_due)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id, public_id
            """, conn, tx);
        insert.Parameters.AddWithValue("key", (object?)r.IdempotencyKey ?? DBNull.Value);
        insert.Parameters.AddWithValue("category", r.Category);
        insert.Parameters.AddWithValue("text", r.Text);
        insert.Parameters.AddWithValue("address", (object?)r.Address ?? DBNull.Value);
        insert.Parameters.AddWithValue("lon", r.Lon);
        insert.Parameters.AddWithValue("lat", r.Lat);
        insert.Parameters.AddWithValue("accuracy", (object?)r.AccuracyM ?? DBNull.Value);
        insert.Parameters.AddWithValue("source", (object?)r.AccuracySource ?? DBNull.Value);
        insert.Parameters.AddWithValue("photo", (object?)photoHash ?? DBNull.Value);
        insert.Parameters.AddWithValue("photo_type", (object?)r.PhotoType ?? DBNull.Value);
        insert.Parameters.AddWithValue("contact_name", (object?)r.ContactName ?? DBNull.Value);
        insert.Parameters.AddWithValue("contact_phone", (object?)r.ContactPhone ?? DBNull.Value);
        insert.Parameters.Add(new NpgsqlParameter("placement", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(placement, Json) });
        insert.Parameters.AddWithValue("group", (object?)Str(placement.Group, "code") ?? DBNull.Value);
        insert.Parameters.AddWithValue("parcel", (object?)Long(placement.Parcel, "id") ?? DBNull.Value);
        insert.Parameters.AddWithValue("asset", (object?)Long(placement.Asset, "id") ?? DBNull.Value);
        insert.Parameters.AddWithValue("road", (object?)Long(placement.Road, "id") ?? DBNull.Value);
        insert.Parameters.AddWithValue("unit", placement.Unit);
        var now = DateTimeOffset.UtcNow;
        var due = WorkingHours.Add(now, dueHours);
        insert.Parameters.AddWithValue("due", due);
        // Acknowledged in working hours, and never later than handled (an urgent category's deadline may come first).
        insert.Parameters.AddWithValue("accept_due", Min(WorkingHours.Add(now, acceptHours), due));
        long id; Guid publicId;
        await using (var rd = await insert.ExecuteReaderAsync(ct))
        {
            if (!await rd.ReadAsync(ct))
            {
                // A concurrent retry with the same key won the race: answer with its report.
                await rd.DisposeAsync();
                await tx.RollbackAsync(ct);
                return ((await FindByKeyAsync(r.IdempotencyKey!, ct))!.Value, false);
            }
            (id, publicId) = (rd.GetInt64(0), rd.GetGuid(1));
        }
        await HistoryAsync(conn, tx, id, "resident", null, "new", null, ct);   // also the field_reports layer's new version
        await tx.CommitAsync(ct);   // durable before the 201
        return (publicId, true);
    }

    async Task<(string Category, Placement Placement, int DueHours, double AcceptHours)> PlaceAsync(NpgsqlConnection conn, NewReport r, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(PlaceSql, conn);
        cmd.Parameters.AddWithValue("lon", r.Lon);
        cmd.Parameters.AddWithValue("lat", r.Lat);
        cmd.Parameters.AddWithValue("category", r.Category);
        cmd.Parameters.AddWithValue("accuracy", (object?)r.AccuracyM ?? DBNull.Value);
        cmd.Parameters.AddWithValue("asset_margin", AssetMarginM);
        cmd.Parameters.AddWithValue("dup_radius", DuplicateRadiusM);
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        await rd.ReadAsync(ct);
        JsonElement? J(int i) => rd.IsDBNull(i) ? null : JsonDocument.Parse(rd.GetString(i)).RootElement.Clone();
        if (rd.IsDBNull(0))
        {
            await rd.DisposeAsync();
            var codes = await CategoryCodesAsync(conn, ct);
            throw new ReportRejected(400, "category", new($"unknown category '{r.Category}': one of {codes} (GET /open311/v2/services.json describes them)",
                $"không có loại phản ánh '{r.Category}': chọn một trong {codes} (GET /open311/v2/services.json mô tả từng loại)"));
        }
        var cat = J(0)!.Value;
        var ward = J(1);
        string wardStatus = "inside";
        double? distance = null;
        if (ward is { } w)
        {
            distance = Math.Round(w.GetProperty("distance_m").GetDouble(), 1);
            var accuracy = r.AccuracyM ?? 0;
            if (!w.GetProperty("inside").GetBoolean())
            {
                // The accuracy circle reaching the ward makes it uncertain, not outside (field-reports.md).
                wardStatus = distance <= accuracy ? "uncertain" : distance <= accuracy + FarOutsideMarginM ? "outside_near" : "far";
                if (wardStatus == "far")
                {
                    var (name, code) = (w.GetProperty("name").GetString(), w.GetProperty("code").GetString());
                    throw new ReportRejected(422, "location", new($"the point is {distance:0} m outside {name} ({code}); this service takes reports inside the ward",
                        $"vị trí này nằm ngoài {name} ({code}) {distance:0} m; ở đây chỉ nhận phản ánh trong phường"));
                }
            }
        }
        var placement = new Placement(wardStatus, ward?.GetProperty("code").GetString(), ward?.GetProperty("name").GetString(), distance,
            J(2), J(3), J(4), J(5), cat.GetProperty("unit").GetString()!, cat.GetProperty("priority").GetString()!,
            J(6) ?? JsonDocument.Parse("[]").RootElement.Clone());
        return (r.Category, placement, cat.GetProperty("due_hours").GetInt32(), cat.GetProperty("accept_hours").GetDouble());
    }

    static async Task<string> CategoryCodesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT string_agg(code, ', ' ORDER BY code) FROM report_categories", conn);
        return await cmd.ExecuteScalarAsync(ct) as string ?? "(none)";   // string_agg of no rows is NULL
    }

    async Task<Guid?> FindByKeyAsync(string key, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT public_id FROM field_reports WHERE idempotency_key = $1");
        cmd.Parameters.AddWithValue(key);
        return await cmd.ExecuteScalarAsync(ct) as Guid?;
    }

    /// <summary>Moves a report along its life; false when the move is not allowed from where it is.</summary>
    public async Task<(bool Found, bool Moved, string? From)> MoveAsync(Guid id, string to, string? reason, string who, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var get = new NpgsqlCommand("SELECT id, status FROM field_reports WHERE public_id = $1 FOR UPDATE", conn, tx);
        get.Parameters.AddWithValue(id);
        long rowId; string from;
        await using (var rd = await get.ExecuteReaderAsync(ct))
        {
            if (!await rd.ReadAsync(ct)) return (false, false, null);
            (rowId, from) = (rd.GetInt64(0), rd.GetString(1));
        }
        if (!CanMove(from, to)) return (true, false, from);
        await using (var upd = new NpgsqlCommand("UPDATE field_reports SET status = $2, updated_at = now() WHERE id = $1", conn, tx))
        {
            upd.Parameters.AddWithValue(rowId);
            upd.Parameters.AddWithValue(to);
            await upd.ExecuteNonQueryAsync(ct);
        }
        await HistoryAsync(conn, tx, rowId, who, from, to, reason, ct);
        await tx.CommitAsync(ct);
        return (true, true, from);
    }

    static async Task HistoryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long reportId, string who, string? from, string to, string? reason, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO field_report_history (report_id, who, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5)", conn, tx);
        cmd.Parameters.AddWithValue(reportId);
        cmd.Parameters.AddWithValue(who);
        cmd.Parameters.AddWithValue((object?)from ?? DBNull.Value);
        cmd.Parameters.AddWithValue(to);
        cmd.Parameters.AddWithValue((object?)reason ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Photos by content hash: the same photo sent twice is stored once.</summary>
    async Task<string> StorePhotoAsync(byte[] photo, CancellationToken ct)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo));
        Directory.CreateDirectory(photoDir);
        var path = Path.Combine(photoDir, hash);
        if (!File.Exists(path))
        {
            var tmp = path + "." + Guid.NewGuid().ToString("N") + ".part";
            await File.WriteAllBytesAsync(tmp, photo, ct);
            File.Move(tmp, path, overwrite: true);
        }
        return hash;
    }

    public string? PhotoPath(string hash) => hash.All(Uri.IsHexDigit) && File.Exists(Path.Combine(photoDir, hash)) ? Path.Combine(photoDir, hash) : null;

    /// <summary>JPEG, PNG or WebP by their first bytes (the declared type is not trusted), at most 5 MB.</summary>
    public static string? PhotoType(byte[] b) =>
        b.Length > 5 * 1024 * 1024 ? null
        : b.Length > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF ? "image/jpeg"
        : b.Length > 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' ? "image/png"
        : b.Length > 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P' ? "image/webp"
        : null;

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    static string? Str(JsonElement? e, string p) => e is { } x && x.TryGetProperty(p, out var v) ? v.ToString() : null;
    static long? Long(JsonElement? e, string p) => e is { } x && x.TryGetProperty(p, out var v) && v.TryGetInt64(out var n) ? n : null;
}

/// <summary>Deadlines in working hours: Monday to Friday, 7:30–11:30 and 13:30–17:30 in Việt Nam (UTC+7).</summary>
public static class WorkingHours
{
    static readonly TimeSpan Vn = TimeSpan.FromHours(7);
    static readonly (TimeSpan From, TimeSpan To)[] Shifts = [(new(7, 30, 0), new(11, 30, 0)), (new(13, 30, 0), new(17, 30, 0))];

    public static DateTimeOffset Add(DateTimeOffset start, double hours)
    {
        var t = start.ToOffset(Vn);
        var left = TimeSpan.FromHours(hours);
        while (left > TimeSpan.Zero)
        {
            if (t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) { t = NextDay(t); continue; }
            var shift = Shifts.FirstOrDefault(s => t.TimeOfDay < s.To);
            if (shift == default) { t = NextDay(t); continue; }
            if (t.TimeOfDay < shift.From) t = t.Date.Add(shift.From).ToOffsetVn();
            var available = shift.To - t.TimeOfDay;
            if (left <= available) return (t + left).ToUniversalTime();
            left -= available;
            t = t.Date.Add(shift.To).ToOffsetVn();
        }
        return t.ToUniversalTime();
    }

    static DateTimeOffset NextDay(DateTimeOffset t) => t.Date.AddDays(1).Add(Shifts[0].From).ToOffsetVn();
    static DateTimeOffset ToOffsetVn(this DateTime local) => new(local, Vn);
}
