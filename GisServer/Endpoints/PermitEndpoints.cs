using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using WardMap.Db;
using WardMap.GisServer.Auth;
using WardMap.GisServer.Permits;
using WardMap.Importers.Crs;

namespace WardMap.GisServer.Endpoints;

/// <summary>The building-permit check (officers and planners): POST a parcel and a house, get every rule's working; stored and printable.</summary>
public static class PermitEndpoints
{
    static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(WebApplication app)
    {
        var g = app.MapGroup("/api/permits").WithTags("permits").RequireAuthorization(Policies.OfficerOrPlanner);
        g.MapPost("/check", Check)
            .WithSummary("Check a detached house against its parcel and the plan: body {parcel_id | sheet_no+parcel_no, footprint (GeoJSON, lon/lat or footprint_crs EPSG:NNNN), floors, height_m, use, application_date}.");
        g.MapGet("/checks/{id:long}", async (HttpContext ctx, long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var json = await Stored(db, id, ct);
            if (json is null) return Problems.NotFound($"no permit check {id}");
            await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "permit.read", $"check {id}", null, ct);
            return Results.Text(json, "application/json");
        }).WithSummary("A stored permit check.");
        g.MapGet("/checks/{id:long}.html", async (HttpContext ctx, long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var html = await PermitReport.HtmlAsync(db, id, ct);
            if (html is null) return Problems.NotFound($"no permit check {id}");
            await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "permit.read", $"check {id}", new { format = "html" }, ct);
            return Results.Text(html, "text/html; charset=utf-8");
        }).WithSummary("A stored permit check, printable: the parcel, footprint, red lines and zones drawn, and the rule table.");
    }

    static async Task<string?> Stored(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT (result || jsonb_build_object('id', id, 'created_at', created_at, 'who', who))::text FROM permit_checks WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    static async Task<IResult> Check(HttpContext ctx, NpgsqlDataSource db, PermitRules rules, CancellationToken ct)
    {
        var (body, error) = await GeoInput.BodyAsync(ctx.Request, ct);
        if (error is not null) return Problems.BadRequest(error);
        if (body.ValueKind != JsonValueKind.Object) return Problems.BadRequest(GeoInput.NotAnObject);

        // The parcel: by id, or by sheet and parcel number.
        long? parcelId = Int(body, "parcel_id");
        if (parcelId is null)
        {
            var (sheet, no) = (Int(body, "sheet_no"), Int(body, "parcel_no"));
            if (sheet is null || no is null) return Problems.BadRequest(new("name the parcel: parcel_id, or sheet_no and parcel_no", "chọn thửa đất: parcel_id, hoặc số tờ (sheet_no) và số thửa (parcel_no)"), "parcel_id");
            await using var find = db.CreateCommand("SELECT id FROM parcels WHERE sheet_no = $1 AND parcel_no = $2");
            find.Parameters.AddWithValue((int)sheet); find.Parameters.AddWithValue((int)no);
            parcelId = await find.ExecuteScalarAsync(ct) as long?;
            if (parcelId is null) return Problems.NotFound(new($"no parcel {no} on sheet {sheet}", $"không có thửa {no} trên tờ {sheet}"));
        }

        var floors = Int(body, "floors");
        if (floors is null or <= 0 or > 200) return Problems.BadRequest(new("floors must be a whole number from 1 to 200", "số tầng (floors) phải là số nguyên từ 1 đến 200"), "floors");
        double? height = body.TryGetProperty("height_m", out var h) && h.ValueKind == JsonValueKind.Number ? h.GetDouble() : null;
        if (height is null or <= 0 or > 300) return Problems.BadRequest(new("height_m must be a number of metres above 0, at most 300", "chiều cao (height_m) phải là số mét lớn hơn 0, tối đa 300"), "height_m");
        var use = body.TryGetProperty("use", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "nhà ở riêng lẻ";
        var date = DateOnly.FromDateTime(DateTime.Today);
        if (body.TryGetProperty("application_date", out var d) && (d.ValueKind != JsonValueKind.String || !DateOnly.TryParse(d.GetString(), CultureInfo.InvariantCulture, out date)))
            return Problems.BadRequest(new("application_date must be a date (YYYY-MM-DD)", "ngày nộp hồ sơ (application_date) phải có dạng YYYY-MM-DD"), "application_date");
        var ruleSet = rules.InForce(date);
        if (ruleSet is null)
            return Problems.Result(422, new("No rules in force", "Không có quy định đang hiệu lực"), new($"no rule set in {Path.GetFileName(rules.File)} is in force on {date:yyyy-MM-dd}",
                $"không có bộ quy định nào trong {Path.GetFileName(rules.File)} có hiệu lực ngày {date:dd/MM/yyyy}"), new { field = "application_date" });

        // The footprint: GeoJSON in lon/lat, or in a VN-2000 TM-3 zone named by footprint_crs.
        Geometry? footprint = null;
        if (body.TryGetProperty("footprint", out var fp) && fp.ValueKind != JsonValueKind.Null)
        {
            SourceCrs? crs = null;
            if (body.TryGetProperty("footprint_crs", out var c) && c.ValueKind == JsonValueKind.String)
            {
                try { crs = CrsRegistry.FromEpsg(CrsRegistry.ParseSrid(c.GetString()!)); }
                catch (CrsException e) { return Problems.BadRequest(e.Said, "footprint_crs"); }
            }
            var (polygon, why) = GeoInput.Polygon(fp, "footprint", lonLat: crs is null || crs.IsWgs84);
            if (polygon is null) return Problems.BadRequest(why!, "footprint");
            if (polygon is MultiPolygon { NumGeometries: 1 } mp) polygon = mp.GetGeometryN(0);
            if (polygon is not Polygon) return Problems.BadRequest(new("footprint must be one polygon (one building)", "mặt bằng công trình phải là một đa giác (một công trình)"), "footprint");
            footprint = crs is null || crs.IsWgs84 ? polygon : crs.ToWgs84(polygon.Copy());
            footprint.SRID = 4326;
        }

        PermitResult? result;
        try { result = await PermitCheck.RunAsync(db, ruleSet, new PermitRequest(parcelId.Value, footprint, (int)floors.Value, height.Value, use, date), ct); }
        catch (FootprintElsewhere e) { return Problems.BadRequest(e.Why, "footprint"); }
        if (result is null) return ParcelEndpoints.NoParcel(parcelId.Value);

        var resultJson = JsonSerializer.Serialize(result, Snake);
        await using var save = db.CreateCommand("""
            INSERT INTO permit_checks (parcel_id, verdict, rule_set, request, result, footprint, who) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
            """);
        save.Parameters.AddWithValue(result.ParcelId);
        save.Parameters.AddWithValue(result.Verdict);
        save.Parameters.AddWithValue(result.RuleSet);
        save.Parameters.Add(new NpgsqlParameter { Value = body.GetRawText(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        save.Parameters.Add(new NpgsqlParameter { Value = resultJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
        save.Parameters.Add(new NpgsqlParameter { Value = (object?)footprint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Geometry });
        save.Parameters.AddWithValue(ctx.User.Who());
        var id = (long)(await save.ExecuteScalarAsync(ct))!;
        await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "permit.check", $"parcel {result.ParcelId}", new { check = id, result.Verdict }, ct);
        var answer = JsonSerializer.Deserialize<Dictionary<string, object?>>(resultJson)!;
        answer["id"] = id;
        answer["html"] = $"/api/permits/checks/{id}.html";
        return Results.Json(answer, Snake, statusCode: 201);
    }

    static long? Int(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
