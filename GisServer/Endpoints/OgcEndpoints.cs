using System.Globalization;
using System.Text;
using Npgsql;
using WardMap.Tiles;

namespace WardMap.GisServer.Endpoints;

/// <summary>
/// OGC API - Features, Part 1 (core, GeoJSON, OpenAPI 3) and Part 2 (CRS by reference) over the public layers,
/// so QGIS, GDAL (OAPIF) and the city's systems read WardMap as a standard source, in WGS 84 or in the VN-2000
/// zone their cadastral data is kept in. A collection is a catalogue layer: the same table and public attributes
/// as its tiles, never personal data.
/// </summary>
public static class OgcEndpoints
{
    // The public collections, with the title QGIS and GDAL show a user beside the id, and what the web pages say
    // of each, in Vietnamese and in English (the JSON keeps the catalogue's English description for those clients).
    static readonly (string Id, string Title, string About, string TitleEn, string AboutEn)[] Collections =
    [
        ("ward_boundary", "Ranh giới phường", "Ranh giới hành chính của phường sau sắp xếp năm 2025",
            "Ward boundary", "The ward's administrative boundary after the 2025 merger"),
        ("parcels", "Thửa đất", "Thửa đất địa chính: số tờ, số thửa, loại đất, diện tích pháp lý, địa chỉ (không có thông tin chủ sử dụng)",
            "Parcels", "Cadastral parcels: map sheet, parcel number, land use, legal area, address (no owner information)"),
        ("zones", "Quy hoạch phân khu", "Các ô quy hoạch với chức năng sử dụng đất và chỉ tiêu (mật độ, tầng cao, hệ số sử dụng đất, khoảng lùi)",
            "Planning zones", "Zones of the zoning plan with their planned use and indicators (density, floors, floor-area ratio, setback)"),
        ("red_lines", "Chỉ giới đường đỏ", "Chỉ giới đường đỏ, phạm vi mở rộng đường, hành lang bảo vệ và chỉ giới xây dựng",
            "Red lines", "Red lines, road widening, protected corridors and building lines"),
        ("roads", "Đường", "Tim đường với tên, cấp đường và chiều rộng", "Roads", "Road centre lines with name, class and width"),
        ("groups", "Tổ dân phố", "Địa bàn các tổ dân phố với số nhân khẩu và số hộ", "Residential groups", "The residential groups' areas with population and households"),
        ("assets", "Hạ tầng (đèn, camera, loa, Wi-Fi, trường, màn hình LED)", "Tài sản hạ tầng của phường: đèn chiếu sáng, camera, cụm loa, điểm Wi-Fi, trường học, màn hình LED, cống rãnh",
            "Infrastructure (lights, cameras, loudspeakers, Wi-Fi, schools, LED screens)", "The ward's infrastructure assets: street lights, cameras, loudspeaker clusters, Wi-Fi points, schools, LED screens, drains"),
        ("field_reports", "Phản ánh hiện trường", "Phản ánh của người dân: loại, trạng thái xử lý, thời điểm gửi, quá hạn (không có nội dung, thông tin người gửi)",
            "Field reports", "Residents' field reports: category, status, when sent, overdue (no text, no sender's details)"),
    ];
    static readonly string[] CollectionIds = Collections.Select(c => c.Id).ToArray();
    /// <summary>The collections with a time of their own, which `datetime` selects by.</summary>
    static readonly Dictionary<string, string> TimeColumns = new() { ["field_reports"] = "t.created_at" };
    // OGC API documents keep the standard's own names (conformsTo, itemType); the server's JSON is snake_case otherwise.
    static readonly System.Text.Json.JsonSerializerOptions OgcJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };
    const int DefaultLimit = 100, MaxLimit = 10_000;
    static readonly string[] Reserved = ["bbox", "limit", "offset", "after", "datetime", "f", "crs", "bbox-crs", "lang"];   // lang: the pages' language (OgcHtml)

    /// <summary>A coordinate reference system a client may ask for (Part 2), by its OGC URI.</summary>
    /// <param name="LatitudeFirst">EPSG:4326 orders latitude before longitude, and Part 2 keeps each CRS's own axis order.</param>
    sealed record Crs(string Uri, int Srid, bool Geographic, bool LatitudeFirst)
    {
        /// <summary>The geometry column in this CRS, for ST_AsGeoJSON (srid comes from the list below, never from the request).</summary>
        public string Geometry(string column) => Srid == 4326 ? (LatitudeFirst ? $"ST_FlipCoordinates(t.{column})" : $"t.{column}") : $"ST_Transform(t.{column}, {Srid})";
        public int Digits => Geographic ? 7 : 3;   // 1 cm in degrees, 1 mm in metres
    }
    static readonly Crs Crs84 = new("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, true, false);
    // What the data is stored in (CRS84), EPSG:4326, Web Mercator, and the VN-2000 TM-3 zones (easting first) that
    // migration 0002 registers: a ward's cadastral systems work in its province's zone (../shared/domain/vn2000.md).
    static readonly Crs[] Offered =
    [
        Crs84, new(Epsg(4326), 4326, true, true), new(Epsg(3857), 3857, false, false),
        .. new[] { 5896, 5897, 5898, 5899 }.Concat(Enumerable.Range(9205, 14)).Select(srid => new Crs(Epsg(srid), srid, false, false)),
    ];
    static string Epsg(int srid) => $"http://www.opengis.net/def/crs/EPSG/0/{srid}";

    /// <summary>The CRS named by a crs or bbox-crs parameter (its URI, or the short EPSG:n / OGC:CRS84), or a 400 naming the offered ones.</summary>
    static (Crs? Crs, IResult? Problem) CrsParameter(IQueryCollection q, string name)
    {
        if (!q.TryGetValue(name, out var v)) return (Crs84, null);
        var text = v.ToString().Trim('[', ']');
        var crs = Offered.FirstOrDefault(c => c.Uri == text || (c == Crs84 ? text == "OGC:CRS84" : text == $"EPSG:{c.Srid}"));
        return crs is not null ? (crs, null)
            : (null, Problems.BadRequest(new($"{name} '{v}' is not offered; use one of: {string.Join(", ", Offered.Select(c => c.Uri))}",
                $"{name} '{v}' không có ở đây; dùng một trong: {string.Join(", ", Offered.Select(c => c.Uri))}"), name));
    }

    static TileLayer Layer(string id) => TileCatalog.Find(id)!;
    static IEnumerable<TileField> PublicFields(TileLayer l) => l.Fields.Where(f => !f.PersonalData);

    public static void Map(WebApplication app)
    {
        var g = app.MapGroup("/ogc").WithTags("ogc");
        g.AddEndpointFilter(OgcHtml.ProblemAsPage);
        g.AddOpenApiOperationTransformer((op, _, _) => Document(op, [("f", "json (default; also for any client that does not prefer text/html) or html, a page for a browser",
            () => new() { Type = Microsoft.OpenApi.JsonSchemaType.String, Enum = ["json", "html"] })]));
        g.MapGet("", (HttpRequest r) =>
        {
            var (html, problem) = OgcHtml.Wanted(r);
            if (problem is not null) return problem;
            if (html)
                return OgcHtml.Page(r, OgcHtml.Say(r, "Dữ liệu mở của phường", "The ward's open data"), $"""
                    <p>{OgcHtml.Say(r, "Các lớp công khai của phường: thửa đất (không có chủ sử dụng), quy hoạch phân khu, chỉ giới đường đỏ, đường, tổ dân phố, hạ tầng. Đọc bằng QGIS hoặc GDAL",
                        "The ward's public layers: parcels (without owners), planning zones, red lines, roads, residential groups, infrastructure. Read them with QGIS or GDAL")}:
                    <code>ogrinfo OAPIF:{OgcHtml.Text(Base(r))}/ogc</code>.</p>
                    <ul>
                      <li><a href="{OgcHtml.Attr(OgcHtml.Href(r, $"{Base(r)}/ogc/collections"))}">{OgcHtml.Say(r, "Các lớp dữ liệu", "The collections")} (collections)</a></li>
                      <li><a href="{OgcHtml.Attr(OgcHtml.Href(r, $"{Base(r)}/ogc/conformance"))}">{OgcHtml.Say(r, "Các chuẩn tuân thủ", "Conformance classes")} (conformance)</a></li>
                      <li><a href="{Base(r)}/openapi.json">{OgcHtml.Say(r, "Mô tả API", "The API's description")} (OpenAPI 3)</a></li>
                    </ul>
                    """, $"{Base(r)}/ogc?f=json");
            return Results.Json(new
            {
                title = "WardMap — OGC API Features",
                description = "The ward's public layers: parcels (no owners), planning zones, red lines, roads, residential groups, assets.",
                links = new[]
                {
                    Link($"{Base(r)}/ogc", "self", "application/json", "this document"),
                    Link($"{Base(r)}/ogc?f=html", "alternate", "text/html", "this document as a web page"),
                    Link($"{Base(r)}/openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
                    Link($"{Base(r)}/ogc/conformance", "conformance", "application/json", "conformance classes"),
                    Link($"{Base(r)}/ogc/collections", "data", "application/json", "the collections"),
                },
            }, OgcJson);
        }).WithSummary("OGC API landing page (f=json|html).");

        g.MapGet("/conformance", (HttpRequest r) =>
        {
            var (html, problem) = OgcHtml.Wanted(r);
            if (problem is not null) return problem;
            return html
                ? OgcHtml.Page(r, OgcHtml.Say(r, "Các chuẩn tuân thủ", "Conformance classes"), $"<ul>{string.Concat(Conformance.Select(c => $"<li>{OgcHtml.Text(c)}</li>"))}</ul>",
                    $"{Base(r)}/ogc/conformance?f=json", HomeCrumb(r))
                : Results.Json(new { conformsTo = Conformance }, OgcJson);
        }).WithSummary("OGC API conformance classes (f=json|html).");

        g.MapGet("/collections", async (HttpRequest r, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var (html, problem) = OgcHtml.Wanted(r);
            if (problem is not null) return problem;
            if (html)
                return OgcHtml.Page(r, OgcHtml.Say(r, "Các lớp dữ liệu", "The collections"),
                    OgcHtml.Say(r, "<table><tr><th>lớp</th><th>id</th><th>mô tả</th><th></th></tr>", "<table><tr><th>collection</th><th>id</th><th>about</th><th></th></tr>")
                    + string.Concat(Collections.Select(c =>
                        $"<tr><td><a href=\"{OgcHtml.Attr(OgcHtml.Href(r, $"{Base(r)}/ogc/collections/{c.Id}"))}\">{OgcHtml.Text(Title(r, c.Id))}</a></td><td>{c.Id}</td>" +
                        $"<td>{OgcHtml.Text(About(r, c.Id))}</td><td><a href=\"{OgcHtml.Attr(OgcHtml.Href(r, $"{Base(r)}/ogc/collections/{c.Id}/items"))}\">{OgcHtml.Say(r, "xem dữ liệu", "see the data")}</a></td></tr>")) + "</table>",
                    $"{Base(r)}/ogc/collections?f=json", HomeCrumb(r));
            var extent = await WardExtent.ReadAsync(db, ct);
            return Results.Json(new
            {
                links = new[]
                {
                    Link($"{Base(r)}/ogc/collections", "self", "application/json", "the collections"),
                    Link($"{Base(r)}/ogc/collections?f=html", "alternate", "text/html", "the collections as a web page"),
                },
                collections = CollectionIds.Select(id => Collection(r, id, extent)),
            }, OgcJson);
        }).WithSummary("The public collections (f=json|html).");

        g.MapGet("/collections/{id}", async (HttpRequest r, string id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!CollectionIds.Contains(id)) return NoCollection(id);
            var (html, problem) = OgcHtml.Wanted(r);
            if (problem is not null) return problem;
            if (!html) return Results.Json(Collection(r, id, await WardExtent.ReadAsync(db, ct)), OgcJson);
            var layer = Layer(id);
            var en = OgcHtml.English(r);
            return OgcHtml.Page(r, Title(r, id), $"""
                <p>{OgcHtml.Text(About(r, id))}. <a href="{OgcHtml.Attr(OgcHtml.Href(r, $"{Base(r)}/ogc/collections/{id}/items"))}">{OgcHtml.Say(r, "Xem dữ liệu", "See the data")}</a> ·
                <a href="{Base(r)}/ogc/collections/{id}/items">GeoJSON</a></p>
                <table><tr>{OgcHtml.Say(r, "<th>thuộc tính</th><th>tên trong dữ liệu</th><th>kiểu</th><th>ghi chú</th>", "<th>attribute</th><th>name in the data</th><th>type</th><th>note</th>")}</tr>{string.Concat(PublicFields(layer).Select(f =>
                    $"<tr><td>{OgcHtml.Text(OgcHtml.Label(f.Name, en))}</td><td><code>{f.Name}</code></td><td>{f.Type}</td><td>{OgcHtml.Text(OgcHtml.Note(id, f.Name, f.Description, en))}</td></tr>"))}</table>
                {OgcHtml.Map(r, id)}
                <p>{OgcHtml.Say(r, "Hệ tọa độ", "Coordinate systems")} (<code>crs=</code>): {string.Join(", ", Offered.Select(c => OgcHtml.Text(c.Uri)))}</p>
                """, $"{Base(r)}/ogc/collections/{id}?f=json", HomeCrumb(r), CollectionsCrumb(r));
        }).WithSummary("One collection (f=json|html).");

        g.MapGet("/collections/{id}/items", Items).WithSummary("Features of a collection: bbox (in bbox-crs), limit/offset (next links), datetime, property=value filters, crs.")
            .AddOpenApiOperationTransformer((op, _, _) => Document(op, ItemsParameters));
        g.MapGet("/collections/{id}/items/{fid}", async (HttpContext ctx, string id, string fid, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!CollectionIds.Contains(id)) return NoCollection(id);
            var (html, formatProblem) = OgcHtml.Wanted(ctx.Request);
            if (formatProblem is not null) return formatProblem;
            var (crs, problem) = CrsParameter(ctx.Request.Query, "crs");
            if (crs is null) return problem!;
            if (!long.TryParse(fid, out var fidValue)) return NoFeature(id, fid);
            var layer = Layer(id);
            var sql = $"SELECT {FeatureJson(layer, crs)}::text FROM {layer.Table} t WHERE t.id = $1{(layer.Where is null ? "" : " AND " + layer.Where)}";
            await using var cmd = db.CreateCommand(sql);
            cmd.Parameters.AddWithValue(fidValue);
            if (await cmd.ExecuteScalarAsync(ct) is not string json) return NoFeature(id, fid);
            var r = ctx.Request;
            if (html)
                return OgcHtml.Page(r, $"{Title(r, id)} {fid}", OgcHtml.Properties(r, json, await LandUsesAsync(db, OgcHtml.English(r), ct)) + OgcHtml.Map(r, id, fid),
                    $"{Base(r)}/ogc/collections/{id}/items/{fid}?f=json", HomeCrumb(r), CollectionsCrumb(r), (OgcHtml.Href(r, $"{Base(r)}/ogc/collections/{id}/items"), Title(r, id)));
            ctx.Response.Headers["Content-Crs"] = $"<{crs.Uri}>";
            return Results.Text(json, "application/geo+json");
        }).WithSummary("One feature (crs: one of the collection's crs list; f=json|html).")
          .AddOpenApiOperationTransformer((op, _, _) => Document(op, ItemsParameters.Where(p => p.Name == "crs")));
    }

    // The items' query parameters, read from the query string by hand (a property filter is any public attribute),
    // so the API definition names them for client generators and QGIS users reading it. limit and bbox have the
    // schemas OGC API Features part 1 gives them (/req/core/fc-limit-definition, fc-bbox-definition): clients size
    // their pages from limit's maximum and default.
    static readonly (string Name, string Description, Func<Microsoft.OpenApi.OpenApiSchema> Schema)[] ItemsParameters =
    [
        ("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 lon/lat by default)", () => new()
        {
            Type = Microsoft.OpenApi.JsonSchemaType.Array, MinItems = 4, MaxItems = 6,
            Items = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Number },
        }),
        ("bbox-crs", "the CRS of bbox: one of the collection's crs list", () => new() { Type = Microsoft.OpenApi.JsonSchemaType.String, Format = "uri" }),
        ("limit", $"features per page, 1 to {MaxLimit} (default {DefaultLimit}); more is answered with {MaxLimit}", () => new()
        {
            Type = Microsoft.OpenApi.JsonSchemaType.Integer, Minimum = "1", Maximum = MaxLimit.ToString(CultureInfo.InvariantCulture),
            Default = System.Text.Json.Nodes.JsonValue.Create(DefaultLimit),
        }),
        ("offset", "features to skip (the next link carries it)", () => new() { Type = Microsoft.OpenApi.JsonSchemaType.Integer, Minimum = "0", Default = System.Text.Json.Nodes.JsonValue.Create(0) }),
        ("after", "the id of the feature the page continues after, in id order (the next link carries it beside offset)", () => new() { Type = Microsoft.OpenApi.JsonSchemaType.Integer, Minimum = "0" }),
        ("datetime", "an RFC 3339 date-time or interval; the layers have no time of their own, so a valid one selects all", () => new() { Type = Microsoft.OpenApi.JsonSchemaType.String }),
        ("crs", "the CRS of the answer: one of the collection's crs list (CRS84 by default)", () => new() { Type = Microsoft.OpenApi.JsonSchemaType.String, Format = "uri" }),
    ];

    static Task Document(Microsoft.OpenApi.OpenApiOperation op, IEnumerable<(string Name, string Description, Func<Microsoft.OpenApi.OpenApiSchema> Schema)> parameters)
    {
        op.Parameters ??= [];
        foreach (var (name, description, schema) in parameters)
            op.Parameters.Add(new Microsoft.OpenApi.OpenApiParameter
            {
                Name = name, In = Microsoft.OpenApi.ParameterLocation.Query, Description = description, Schema = schema(),
                Style = Microsoft.OpenApi.ParameterStyle.Form, Explode = false,   // bbox=1,2,3,4, not bbox=1&bbox=2…
            });
        return Task.CompletedTask;
    }

    static readonly string[] Conformance =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ];
    static string Title(HttpRequest r, string id) => Collections.First(c => c.Id == id) is var c && OgcHtml.English(r) ? c.TitleEn : c.Title;
    static string About(HttpRequest r, string id) => Collections.First(c => c.Id == id) is var c && OgcHtml.English(r) ? c.AboutEn : c.About;
    // The pages' trail: the landing page, then the collections.
    static (string, string) HomeCrumb(HttpRequest r) => (OgcHtml.Href(r, $"{Base(r)}/ogc"), OgcHtml.Say(r, "Dữ liệu mở", "Open data"));
    static (string, string) CollectionsCrumb(HttpRequest r) => (OgcHtml.Href(r, $"{Base(r)}/ogc/collections"), OgcHtml.Say(r, "Các lớp", "Collections"));

    static string Base(HttpRequest r) => TileEndpoints.BaseUrl(r);
    static object Link(string href, string rel, string type, string title) => new { href, rel, type, title };
    static IResult NoCollection(string id) => Problems.NotFound(new Said(
        $"no collection '{id}'; collections: {string.Join(", ", CollectionIds)}", $"không có lớp '{id}'; các lớp: {string.Join(", ", CollectionIds)}"));
    static IResult NoFeature(string id, string fid) => Problems.NotFound(new Said(
        $"no feature '{fid}' in {id}", $"không có đối tượng '{fid}' trong lớp {Collections.First(c => c.Id == id).Title}"));

    static object Collection(HttpRequest r, string id, WardExtent e)
    {
        var layer = Layer(id);
        return new
        {
            id,
            title = Title(r, id),
            description = layer.Description,
            itemType = "feature",
            crs = Offered.Select(c => c.Uri),
            storageCrs = Crs84.Uri,
            extent = new { spatial = new { bbox = new[] { new[] { e.West, e.South, e.East, e.North } }, crs = Crs84.Uri } },
            links = new[]
            {
                Link($"{Base(r)}/ogc/collections/{id}", "self", "application/json", id),
                Link($"{Base(r)}/ogc/collections/{id}?f=html", "alternate", "text/html", $"{id} as a web page"),
                Link($"{Base(r)}/ogc/collections/{id}/items", "items", "application/geo+json", $"{id} features"),
                Link($"{Base(r)}/ogc/collections/{id}/items?f=html", "items", "text/html", $"{id} features as a web page"),
            },
        };
    }

    // options 0: no GeoJSON 2008 "crs" member in the geometry; the Content-Crs header says which CRS (Part 2).
    static string FeatureJson(TileLayer l, Crs crs) => $"""
        json_build_object('type', 'Feature', 'id', t.id, 'geometry', ST_AsGeoJSON({crs.Geometry(l.GeometryColumn)}, {crs.Digits}, 0)::json,
          'properties', json_build_object({string.Join(", ", PublicFields(l).Select(f => $"'{f.Name}', {f.Expression}"))}))
        """;

    static async Task<IResult> Items(HttpContext ctx, string id, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!CollectionIds.Contains(id)) return NoCollection(id);
        var (html, formatProblem) = OgcHtml.Wanted(ctx.Request);
        if (formatProblem is not null) return formatProblem;
        var layer = Layer(id);
        var q = ctx.Request.Query;
        int limit = DefaultLimit, offset = 0;
        if (q.TryGetValue("limit", out var ls) && (!int.TryParse(ls, out limit) || limit < 1))
            return Problems.BadRequest(new($"limit '{ls}' must be a whole number from 1 to {MaxLimit}", $"limit '{ls}' phải là số nguyên từ 1 đến {MaxLimit}"), "limit");
        limit = Math.Min(limit, MaxLimit);
        if (q.TryGetValue("offset", out var os) && (!int.TryParse(os, out offset) || offset < 0))
            return Problems.BadRequest(new($"offset '{os}' must be a whole number from 0", $"offset '{os}' phải là số nguyên từ 0 trở lên"), "offset");
        // after=<id>: the page continues after that feature (the next links carry it beside offset). An offset makes
        // PostgreSQL walk every row before the page — a whole layer copied 10 at a time (GDAL's default before 3.8)
        // walked the layer once per page — where the id's index goes straight to it.
        long? after = null;
        if (q.TryGetValue("after", out var afs))
        {
            if (!long.TryParse(afs, out var a) || a < 0)
                return Problems.BadRequest(new($"after '{afs}' must be a feature id (the next link gives it)", $"after '{afs}' phải là mã một đối tượng (liên kết trang sau ghi sẵn)"), "after");
            after = a;
        }

        var (crs, problem) = CrsParameter(q, "crs");
        if (crs is null) return problem!;
        var (bboxCrs, bboxProblem) = CrsParameter(q, "bbox-crs");
        if (bboxCrs is null) return bboxProblem!;
        (DateTimeOffset? Start, DateTimeOffset? End)? period = null;
        if (q.TryGetValue("datetime", out var dt) && (period = Datetime(dt.ToString())) is null)
            return Problems.BadRequest(new($"datetime '{dt}' is not an RFC 3339 date-time or an interval of two (start/end, '..' for an open end)",
                $"datetime '{dt}' không phải thời điểm RFC 3339 hay khoảng giữa hai thời điểm (đầu/cuối, '..' cho đầu mở)"), "datetime");

        var where = new List<string>();
        var args = new List<object>();
        if (layer.Where is not null) where.Add(layer.Where);
        // datetime selects by a collection's own time (a report's sending); the other layers have none: all of them.
        if (period is var (start, end) && TimeColumns.TryGetValue(id, out var time))
        {
            if (start is { } from) { args.Add(from.ToUniversalTime()); where.Add($"{time} >= ${args.Count}"); }
            if (end is { } to) { args.Add(to.ToUniversalTime()); where.Add($"{time} <= ${args.Count}"); }
        }
        if (q.TryGetValue("bbox", out var bs))
        {
            // The corners in bbox-crs's own axis order: minLon,minLat,maxLon,maxLat in CRS84; minLat,minLon,… in EPSG:4326;
            // minEasting,minNorthing,… in a projected CRS.
            var axes = bboxCrs.LatitudeFirst ? "minLat,minLon,maxLat,maxLon" : bboxCrs.Geographic ? "minLon,minLat,maxLon,maxLat" : "minEasting,minNorthing,maxEasting,maxNorthing";
            var parts = bs.ToString().Split(',');
            if (parts.Length != 4 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)))
                return Problems.BadRequest(new($"bbox is {axes}", $"bbox ghi là {axes}"), "bbox");
            var b = parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            if (bboxCrs.LatitudeFirst) b = [b[1], b[0], b[3], b[2]];
            if (b[0] > b[2] || b[1] > b[3] || (bboxCrs.Geographic && (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90)))
                return Problems.BadRequest(bboxCrs.Geographic
                    ? new("bbox must lie within -180..180, -90..90 with min before max", "bbox phải nằm trong -180..180, -90..90, giá trị nhỏ trước giá trị lớn")
                    : new($"bbox is {axes}, min before max", $"bbox ghi là {axes}, giá trị nhỏ trước giá trị lớn"), "bbox");
            args.AddRange(b.Cast<object>());
            var envelope = $"ST_MakeEnvelope(${args.Count - 3}, ${args.Count - 2}, ${args.Count - 1}, ${args.Count}, {bboxCrs.Srid})";
            where.Add($"t.{layer.GeometryColumn} && {(bboxCrs.Srid == 4326 ? envelope : $"ST_Transform({envelope}, 4326)")}");
        }
        // Property filters: only the collection's public attributes, compared as text.
        foreach (var (key, value) in q)
        {
            if (Reserved.Contains(key)) continue;
            var field = PublicFields(layer).FirstOrDefault(f => f.Name == key);
            if (field is null)
            {
                var names = string.Join(", ", PublicFields(layer).Select(f => f.Name));
                return Problems.BadRequest(new($"'{key}' is not a queryable property of {id}: use {names}", $"'{key}' không phải thuộc tính lọc được của {id}: dùng {names}"), key);
            }
            args.Add(value.ToString());
            where.Add($"({field.Expression})::text = ${args.Count}");
        }
        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        if (after is not null) args.Add(after.Value);
        var page = after is null ? $"{filter} ORDER BY t.id LIMIT {limit} OFFSET {offset}"
            : $"{(filter.Length > 0 ? filter + " AND" : " WHERE")} t.id > ${args.Count} ORDER BY t.id LIMIT {limit}";
        // One pass over the page: its features, how many, the last id (the next link's after) and, for a web page,
        // where they are (lon/lat), so its map shows them.
        var pageExtent = html ? ", ST_XMin(p.e) || ',' || ST_YMin(p.e) || ',' || ST_XMax(p.e) || ',' || ST_YMax(p.e)" : "";
        // How many match is counted for a first page and for a person's page ("21–30 of 25,080"); a page a next link
        // continues (after=) leaves it out (numberMatched is optional): counting a million parcels is 70 ms a page.
        var counted = after is null || html;
        var sql = $"""
            SELECT {(counted ? $"(SELECT count(*) FROM {layer.Table} t{filter})" : "NULL::bigint")}, p.features, p.returned, p.last{pageExtent}
            FROM (SELECT COALESCE(json_agg({FeatureJson(layer, crs)} ORDER BY t.id), '[]'::json)::text AS features,
                         count(*)::int AS returned, max(t.id) AS last{(html ? $", ST_Extent(t.{layer.GeometryColumn}) AS e" : "")}
                  FROM (SELECT t.* FROM {layer.Table} t{page}) t) p
            """;
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        long? matched = r.IsDBNull(0) ? null : r.GetInt64(0);
        var features = r.GetString(1);
        int returned = r.GetInt32(2);
        long? lastId = r.IsDBNull(3) ? null : r.GetInt64(3);
        var pageBbox = html && !r.IsDBNull(4) ? r.GetString(4) : null;

        var self = $"{Base(ctx.Request)}/ogc/collections/{id}/items";
        // The same query on another page (and in another format): filters, bbox and crs kept; the next page also
        // by the last id shown (after=), this one by the after it was asked with.
        string Page(int newOffset, string? format, long? from = null) => self + "?" + string.Join("&", q.Where(kv => kv.Key is not ("offset" or "limit" or "f" or "after"))
            .Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value.ToString())}")
            .Append($"limit={limit}").Append($"offset={newOffset}").Concat(from is null ? [] : [$"after={from}"]).Concat(format is null ? [] : [$"f={format}"]));
        string Next(string? format) => Page(offset + limit, format, lastId);
        // Uncounted, a full page may be the last: the next link then leads to an empty page, which ends the walk.
        bool hasNext = returned == limit && (matched is null || offset + returned < matched), hasPrev = offset > 0;
        int prevOffset = Math.Max(0, offset - limit);
        if (html)
        {
            var request = ctx.Request;
            var nav = (hasPrev ? $"<a href=\"{OgcHtml.Attr(Page(prevOffset, "html"))}\">‹ {OgcHtml.Say(request, "trang trước", "previous page")}</a>" : "")
                    + (hasNext ? $"<a href=\"{OgcHtml.Attr(Next("html"))}\">{OgcHtml.Say(request, "trang sau", "next page")} ›</a>" : "");
            var shown = returned == 0 ? OgcHtml.Say(request, "không có đối tượng nào", "no features")
                : $"{offset + 1}–{offset + returned} {OgcHtml.Say(request, "trong", "of")} {OgcHtml.Number(request, matched ?? 0)} {OgcHtml.Say(request, "đối tượng", "features")}";
            return OgcHtml.Page(request, $"{Title(request, id)}: {OgcHtml.Say(request, "dữ liệu", "data")}",
                $"<p>{shown}. <a href=\"{OgcHtml.Attr(Page(offset, "json", after))}\">GeoJSON</a></p>{OgcHtml.Map(request, id, bbox: pageBbox)}<nav class=\"pages\">{nav}</nav>" +
                OgcHtml.FeatureTable(request, features, PublicFields(layer).Select(f => f.Name).ToList(), self, await LandUsesAsync(db, OgcHtml.English(request), ct)) + $"<nav class=\"pages\">{nav}</nav>",
                Page(offset, "json", after), HomeCrumb(request), CollectionsCrumb(request), (OgcHtml.Href(request, $"{Base(request)}/ogc/collections/{id}"), Title(request, id)));
        }
        var asked = q.TryGetValue("f", out var fv) ? fv.ToString() : null;
        var links = new List<string> { LinkJson(Page(offset, asked, after), "self", "application/geo+json"), LinkJson(Page(offset, "html", after), "alternate", "text/html") };
        if (hasNext) links.Add(LinkJson(Next(asked), "next", "application/geo+json"));
        if (hasPrev) links.Add(LinkJson(Page(prevOffset, asked), "prev", "application/geo+json"));
        var json = new StringBuilder()
            .Append("{\"type\":\"FeatureCollection\"").Append(matched is null ? "" : $",\"numberMatched\":{matched}")
            .Append(",\"numberReturned\":").Append(returned)
            .Append(",\"timeStamp\":\"").Append(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ")).Append('"')
            .Append(",\"links\":[").Append(string.Join(",", links)).Append("],\"features\":").Append(features).Append('}');
        ctx.Response.Headers["Content-Crs"] = $"<{crs.Uri}>";
        return Results.Text(json.ToString(), "application/geo+json");
    }

    // The public layers have no time of their own: a well-formed datetime selects every feature, a malformed one is a 400.
    /// <summary>
    /// An OGC datetime — an instant, or start/end with '..' (or nothing) for an open end — as its two ends (an
    /// instant is both); null when it is neither.
    /// </summary>
    static (DateTimeOffset? Start, DateTimeOffset? End)? Datetime(string value)
    {
        var ends = value.Split('/');
        if (ends.Length > 2) return null;
        var at = new DateTimeOffset?[ends.Length];
        for (int i = 0; i < ends.Length; i++)
        {
            if (ends.Length == 2 && ends[i] is ".." or "") continue;
            if (!DateTimeOffset.TryParse(ends[i], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return null;
            at[i] = t;
        }
        return (at[0], at[^1]);
    }

    /// <summary>The land-use codes' meanings (the legend's table), for the pages: a reader sees "Đất ở tại đô thị" (or "urban residential"), not only ODT.</summary>
    static async Task<IReadOnlyDictionary<string, string>> LandUsesAsync(NpgsqlDataSource db, bool english, CancellationToken ct)
    {
        var meanings = new Dictionary<string, string>();
        await using var cmd = db.CreateCommand(english ? "SELECT code, meaning_en FROM land_use_codes" : "SELECT code, meaning_vi FROM land_use_codes");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) meanings[r.GetString(0)] = r.GetString(1);
        return meanings;
    }

    static string LinkJson(string href, string rel, string type) => System.Text.Json.JsonSerializer.Serialize(new { href, rel, type });
}
