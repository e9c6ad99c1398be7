using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;
using Npgsql;
using WardMap.Importers;
using WardMap.GisServer.Auth;
using WardMap.GisServer.Queries;

namespace WardMap.GisServer.Endpoints;

/// <summary>Planners' overlay and conflicts, and the residential groups' statistics.</summary>
public static class PlanningEndpoints
{
    const double MaxOverlayKm2 = 25;

    public static void Map(WebApplication app, int wardSrid)
    {
        var planning = app.MapGroup("/api/planning").WithTags("planning").RequireAuthorization(Policies.Planner);

        planning.MapPost("/overlay", async (string? format, HttpRequest request, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (format is not (null or "json" or "csv")) return Problems.BadRequest(new("format is json (default) or csv", "format là json (mặc định) hoặc csv"), "format");
            Geometry polygon;
            AreaFile.Area? fromFile = null;
            string? fileName = null;
            if (request.HasFormContentType)
            {
                var (area, name, refused) = await AreaFromFilesAsync(request, ct);
                if (refused is not null) return refused;
                (polygon, fromFile, fileName) = (area!.Polygon, area, name);
                if (GeoInput.Check(polygon, "file") is { } bad) return Problems.BadRequest(bad, "file");
            }
            else
            {
                var (body, error) = await GeoInput.BodyAsync(request, ct);
                if (error is not null) return Problems.BadRequest(error);
                var (drawn, why) = GeoInput.Polygon(body);
                if (drawn is null) return Problems.BadRequest(why!, "geometry");
                polygon = drawn;
            }
            var km2 = polygon.Area * 111.32 * 111.32 * Math.Cos(polygon.Centroid.Y * Math.PI / 180);
            if (km2 > MaxOverlayKm2) return Problems.BadRequest(new($"the polygon covers about {km2:0} km²; overlays are limited to {MaxOverlayKm2} km²",
                $"vùng vẽ rộng khoảng {km2:0} km²; chỉ tính cho vùng đến {MaxOverlayKm2} km²"), fromFile is null ? "geometry" : "file");
            var json = await Sql.JsonAsync(db, PlanningQueries.Overlay, ct, ("poly", polygon), ("srid", wardSrid));
            if (format == "csv") return Results.File(AffectedParcelsCsv(json!), "text/csv; charset=utf-8", "thua-dat-trong-vung.csv");
            if (fromFile is null) return Sql.Json(json!);
            // An area from a file: the answer also carries the area as read (to draw it) and what was read.
            var answer = JsonNode.Parse(json!)!.AsObject();
            answer["geometry"] = JsonSerializer.SerializeToNode(polygon, GeoInput.Options);
            answer["source"] = new JsonObject
            {
                ["file"] = fileName, ["crs"] = fromFile.Crs, ["polygons"] = fromFile.Polygons,
                ["crs_assumed"] = fromFile.CrsAssumed, ["left_out"] = fromFile.LeftOut, ["repaired"] = fromFile.Repaired,
            };
            return Sql.Json(answer);
        }).WithSummary("A GeoJSON polygon (lon/lat), or multipart `file` (a plan's boundary: GeoJSON, GeoPackage, a shapefile's parts or a .zip; `srs` overrides the CRS it declares; `fallback_srs` is read when it declares none and is not in lon/lat) -> parcels touched with the area inside each, zones, residential groups and the population affected (planner); `?format=csv`: the parcels as a spreadsheet.");

        planning.MapGet("/conflicts", async (string? format, HttpContext ctx, ConflictTable conflicts, CancellationToken ct) =>
        {
            if (format is not (null or "geojson" or "csv")) return Problems.BadRequest("format is geojson (default) or csv", "format");
            // A planner's browser asks again at each visit: unchanged parcels and zones answer 304. Each encoding
            // is its own representation, with its own ETag (RFC 9110 §8.8.3).
            var version = await conflicts.VersionAsync(ct);
            var encoding = ContentEncodings.Preferred(ctx.Request)?.Name;
            var etag = $"\"conflicts-{version}-{format ?? "geojson"}-{encoding ?? "plain"}\"";
            ctx.Response.Headers.ETag = etag;
            ctx.Response.Headers.CacheControl = "private, no-cache";
            ctx.Response.Headers.Vary = "Accept-Encoding";
            if (ETags.ClientHas(ctx.Request, etag))
                return Results.StatusCode(StatusCodes.Status304NotModified);
            var table = await conflicts.GetAsync(version, ct);
            // Written and compressed once per version (ConflictTable), so the answer says its encoding itself.
            if (encoding is not null) ctx.Response.Headers.ContentEncoding = encoding;
            return format == "csv"
                ? Results.File(table.Body("csv", encoding, Csv), "text/csv; charset=utf-8", "xung-dot-quy-hoach.csv")
                : Results.Bytes(table.Body("geojson", encoding, GeoJson), "application/geo+json");
        }).WithSummary("Parcels whose land use contradicts the planned use of the zone covering most of them, with areas (planner); ?format=csv|geojson.");

        app.MapGet("/api/stats/groups", async (NpgsqlDataSource db, CancellationToken ct) => Sql.Json((await Sql.JsonAsync(db, PlanningQueries.GroupStats, ct))!))
            .WithTags("planning").WithSummary("Per residential group: population, households, parcels and area by land use.");
    }

    /// <summary>
    /// The polygons of the uploaded file(s), joined and in lon/lat (AreaFile, as the importer reads and reprojects);
    /// the file's name as sent; or the 400 naming the file, row and field.
    /// </summary>
    static async Task<(AreaFile.Area? Area, string? Name, IResult? Error)> AreaFromFilesAsync(HttpRequest request, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        var files = form.Files.Where(f => f.Name is "file" or "files").ToList();
        if (files.Count == 0) return (null, null, Problems.BadRequest(Uploads.NoFile, "file"));
        var dir = Directory.CreateTempSubdirectory("wardmap-area-");
        try
        {
            var (data, refused) = await Uploads.SaveAsync(files, dir.FullName, ct);
            if (refused is not null) return (null, null, refused);
            if (data.Count == 0)
                return (null, null, Problems.BadRequest(new("the upload holds no .shp, .gpkg or .geojson", "trong các tệp gửi lên không có .shp, .gpkg hay .geojson nào"), "file"));
            string? Field(string name) => form[name].ToString() is { Length: > 0 } v ? v : null;
            try { return (AreaFile.Read(data, Field("srs"), Field("fallback_srs")), string.Join(", ", files.Select(f => Path.GetFileName(f.FileName))), null); }
            catch (ImportException e)
            {
                return (null, null, Problems.Result(400, Problems.BadRequestTitle, e.Describe(),
                    new { file = Path.GetFileName(e.File), row = e.Row, field = e.Field }));
            }
        }
        finally { dir.Delete(true); }
    }

    /// <summary>
    /// The parcels an area takes, one row each, for the ward's list of land users to notify and compensate (what a
    /// road widening starts with): number, address, land use, legal area, the part inside and its share.
    /// </summary>
    static byte[] AffectedParcelsCsv(string overlayJson)
    {
        string[] columns = ["sheet_no", "parcel_no", "address", "land_use", "land_use_name", "legal_area_m2", "area_inside_m2", "share_pct", "id"];
        using var doc = JsonDocument.Parse(overlayJson);
        return CsvFile.Bytes(columns, doc.RootElement.GetProperty("parcels").EnumerateArray()
            .Select(p => (IReadOnlyList<object?>)[.. columns.Select(c => Value(p.GetProperty(c)))]).ToList());

        static object? Value(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDecimal(),
            JsonValueKind.String => v.GetString(),
            _ => null,
        };
    }

    static byte[] Csv(ConflictTable.Table table)
    {
        var columns = table.Names.Select((n, i) => (n, i)).Where(c => c.n != "geometry").ToArray();
        return CsvFile.Bytes([.. columns.Select(c => c.n)], table.Rows.Select(row => (IReadOnlyList<object?>)[.. columns.Select(c => row[c.i])]));
    }


    static byte[] GeoJson(ConflictTable.Table table)
    {
        var (names, rows) = (table.Names, table.Rows);
        var g = Array.IndexOf(names, "geometry");
        var features = rows.Select(row => new Dictionary<string, object?>
        {
            ["type"] = "Feature",
            ["id"] = row[0],
            ["geometry"] = System.Text.Json.JsonDocument.Parse((string)row[g]!).RootElement,
            ["properties"] = names.Select((n, i) => (n, i)).Where(x => x.i != g).ToDictionary(x => x.n, x => row[x.i] is DBNull ? null : row[x.i]),
        });
        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["type"] = "FeatureCollection", ["features"] = features.ToList() }, Sql.Written);
    }
}
