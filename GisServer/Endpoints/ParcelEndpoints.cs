using Npgsql;
using WardMap.Db;
using WardMap.GisServer.Auth;
using WardMap.GisServer.Queries;

namespace WardMap.GisServer.Endpoints;

/// <summary>Parcel look-ups for land officers and the public (owners only for officers, every such read audited).</summary>
public static class ParcelEndpoints
{
    const int MaxResults = 500;

    public static void Map(WebApplication app)
    {
        var g = app.MapGroup("/api/parcels").WithTags("parcels");

        g.MapGet("", async (HttpContext ctx, int? sheet, int? no, string? q, string? owner, int? limit, int? offset, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var officer = ctx.User.SeesPersonalData();
            if (Problems.BadLimit(limit, MaxResults) is { } badLimit) return badLimit;
            var take = Math.Min(limit ?? 100, MaxResults);
            if (offset < 0) return Problems.BadRequest(new("offset counts matches to skip: 0 or more", "offset là số kết quả bỏ qua: từ 0 trở lên"), "offset");
            var skip = offset ?? 0;
            string? json;
            if (owner is not null)
            {
                if (!officer) return Problems.Result(StatusCodes.Status403Forbidden, Problems.ForbiddenTitle,
                    new("searching by owner needs an officer's key", "tìm theo chủ sử dụng đất cần khóa của cán bộ địa chính"));
                if (owner.Trim().Length < 2) return Problems.BadRequest(new("give at least 2 letters of the owner's name", "gõ ít nhất 2 chữ của tên chủ sử dụng"), "owner");
                json = await Sql.JsonAsync(db, ParcelQueries.ByOwner, ct, ("q", TextSearch.Pattern(owner)), ("plain", TextSearch.Plain(owner)), ("officer", true), ("limit", take), ("offset", skip));
                await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.search_owner", owner.Trim(), null, ct);
            }
            else if (sheet is not null)
            {
                if (sheet <= 0 || no is <= 0) return Problems.BadRequest(new("sheet and no are positive whole numbers", "số tờ và số thửa là số nguyên dương"), sheet <= 0 ? "sheet" : "no");
                json = await Sql.JsonAsync(db, ParcelQueries.BySheetAndNumber, ct, ("sheet", sheet), ("no", no), ("officer", officer), ("limit", take), ("offset", skip));
                if (officer) await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.read", $"sheet {sheet} no {no}", null, ct);
                // A number no longer on the map: the answer says which import took it away, rather than nothing.
                if (no is not null && NoneMatched(json!) && await Sql.JsonAsync(db, ParcelQueries.Removed, ct, ("key", $"{sheet}/{no}")) is { } removed)
                {
                    var answer = System.Text.Json.Nodes.JsonNode.Parse(json!)!;
                    answer["removed"] = System.Text.Json.Nodes.JsonNode.Parse(removed);
                    return Sql.GeoJson(answer);
                }
            }
            else if (q is not null)
            {
                if (q.Trim().Length < 3) return Problems.BadRequest(new("give at least 3 characters of the address", "gõ ít nhất 3 ký tự của địa chỉ"), "q");
                json = await Sql.JsonAsync(db, ParcelQueries.ByAddress, ct, ("q", TextSearch.Pattern(q)), ("plain", TextSearch.Plain(q)), ("officer", officer), ("limit", take), ("offset", skip));
                if (officer) await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.search_address", q.Trim(), null, ct);
            }
            else return Problems.BadRequest(new("search with sheet (and no), q (address text) or owner (officers)", "tìm theo số tờ (và số thửa), địa chỉ hoặc (cán bộ) chủ sử dụng"), "sheet");
            return Sql.GeoJson(json!);
        }).WithSummary("Find parcels by sheet and parcel number, by address text, or (officers) by owner name; limit and offset page the matches, numberMatched says how many in all.");

        g.MapGet("/at", async (HttpContext ctx, double? lon, double? lat, double? radius, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (lon is not (>= -180 and <= 180)) return Problems.BadRequest("lon must be a longitude from -180 to 180", "lon");
            if (lat is not (>= -90 and <= 90)) return Problems.BadRequest("lat must be a latitude from -90 to 90", "lat");
            var r = Math.Clamp(radius ?? 5, 0, 50);
            var officer = ctx.User.SeesPersonalData();
            var json = await Sql.JsonAsync(db, ParcelQueries.At, ct, ("lon", lon), ("lat", lat), ("radius", r), ("officer", officer));
            if (json is null) return Problems.NotFound(new($"no parcel at ({lon}, {lat}) nor within {r} m of it", $"không có thửa đất tại ({lon}, {lat}) hay trong vòng {r} m quanh đó"));
            if (officer) await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.read", $"at {lon},{lat}", null, ct);
            return Sql.GeoJson(json);
        }).WithSummary("The parcel under a point; when the point is on a road, the nearest parcel within radius metres (default 5), saying so.");

        g.MapGet("/{id:long}", async (HttpContext ctx, long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var officer = ctx.User.SeesPersonalData();
            var json = await Sql.JsonAsync(db, ParcelQueries.ById, ct, ("id", id), ("officer", officer));
            if (json is null) return NoParcel(id);
            if (officer) await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.read", $"parcel {id}", null, ct);
            return Sql.GeoJson(json);
        }).WithSummary("One parcel as a GeoJSON Feature (owner fields for officers).");

        g.MapGet("/{id:long}/neighbors", async (HttpContext ctx, long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!await Sql.TrueAsync(db, "SELECT EXISTS (SELECT 1 FROM parcels WHERE id = @id)", ct, ("id", id))) return NoParcel(id);
            var officer = ctx.User.SeesPersonalData();
            var json = await Sql.JsonAsync(db, ParcelQueries.Neighbors, ct, ("id", id), ("officer", officer));
            if (officer) await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.read", $"neighbours of {id}", null, ct);
            return Sql.GeoJson(json!);
        }).WithSummary("Parcels sharing a boundary with this one, with the shared length in metres (TM-3).");

        g.MapGet("/{id:long}/extract.{format}", async (HttpContext ctx, long id, string format, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (format is not ("pdf" or "png" or "json")) return Problems.NotFound(new("extracts come as extract.pdf, extract.png or extract.json", "trích lục có dạng extract.pdf, extract.png hoặc extract.json"));
            var data = await Extracts.ParcelExtract.LoadAsync(db, id, officer: true, ct);
            if (data is null) return NoParcel(id);
            await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.extract", $"parcel {id}", new { format }, ct);
            var name = $"trich-luc-to{data.SheetNo}-thua{data.ParcelNo}";
            return format switch
            {
                "pdf" => Results.File(Extracts.ParcelExtract.Pdf(data), "application/pdf", name + ".pdf"),
                "png" => Results.File(Extracts.ParcelExtract.Png(data), "image/png"),
                _ => Results.Json(new
                {
                    data.Id, data.SheetNo, data.ParcelNo, data.LandUse, data.LandUseName, data.LegalAreaM2, data.MeasuredAreaM2, data.Address, data.Owner,
                    crs = $"EPSG:{data.Srid}", vertices = data.Vertices, edges = data.Edges,
                    neighbours = data.Neighbours.Select(n => new { n.Id, n.SheetNo, n.ParcelNo }),
                }),
            };
        }).RequireAuthorization(Policies.Officer)
          .WithSummary("The parcel extract (trích lục) as PDF, PNG or the JSON of its numbers: edges and vertices in VN-2000 TM-3 (officer).");

        g.MapGet("/{id:long}/history", async (HttpContext ctx, long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var json = await Sql.JsonAsync(db, ParcelQueries.History, ct, ("id", id));
            if (json is null) return NoParcel(id);
            await Audit.WriteAsync(db, ctx.User.Who(), ctx.User.Role(), "parcel.read", $"history of {id}", null, ct);
            return Sql.Json(json);
        }).RequireAuthorization(Policies.Officer)
          .WithSummary("What imports changed in the parcel (biến động), newest first: the fields changed with their values before and after, and the run, file and time of each (officer).");

        g.MapGet("/{id:long}/planning", async (long id, NpgsqlDataSource db, Permits.PermitRules rules, CancellationToken ct) =>
        {
            // A red line is across the parcel on the same terms as across a house in the permit check (today's rules).
            var tolerance = rules.InForce(DateOnly.FromDateTime(DateTime.Today))?.RedLineToleranceM ?? new Permits.PermitRuleSet().RedLineToleranceM;
            var json = await Sql.JsonAsync(db, ParcelQueries.Planning, ct, ("id", id), ("red_tol", tolerance));
            return json is null ? NoParcel(id) : Sql.Json(json);
        }).WithSummary("Zones the parcel lies in (area and share of each, m² in TM-3) and red lines over it.");
    }

    // Only read (JsonDocument, no tree to edit): most look-ups by number find their parcel; an empty answer is added to.
    static bool NoneMatched(string collection)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(collection);
        return doc.RootElement.GetProperty("numberMatched").GetInt64() == 0;
    }

    public static IResult NoParcel(long id) => Problems.NotFound(new($"no parcel {id}", $"không có thửa đất {id}"));
}
