using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace WardMap.GisServer.Endpoints;

/// <summary>
/// The HTML side of the OGC API (the standard's HTML conformance class): the same resources as the JSON, as pages a
/// resident or a city clerk can read in a browser — the collections, a page of features as a table, one feature
/// with its attributes — each with the ward's map beside it (the IOC widget, public data only) and a link to its JSON.
/// Plain server-made pages: no script of their own, nothing from a CDN. In Vietnamese, or in English for a link with
/// lang=en (the viewer in English links so; the pages' own links keep it), whatever the browser's language, as the viewer.
/// </summary>
static class OgcHtml
{
    /// <summary>The pages' language: English for lang=en, Vietnamese otherwise.</summary>
    public static bool English(HttpRequest r) => r.Query["lang"] == "en";

    /// <summary>A page of this site as HTML, in the language of this one: path (with or without a query) + f=html (+ lang=en).</summary>
    public static string Href(HttpRequest r, string path) => $"{path}{(path.Contains('?') ? '&' : '?')}f=html{(English(r) ? "&lang=en" : "")}";

    /// <summary>Vietnamese or English, as the request's page is written.</summary>
    public static string Say(HttpRequest r, string vi, string en) => English(r) ? en : vi;

    /// <summary>
    /// HTML when asked: f=html, or no f and an Accept that prefers text/html to JSON (a browser). GDAL, QGIS, curl
    /// and fetch() ask for JSON or anything (*/*) and get JSON. f other than json or html is a 400.
    /// </summary>
    public static (bool Html, IResult? Problem) Wanted(HttpRequest r)
    {
        r.HttpContext.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Accept);
        if (r.Query.TryGetValue("f", out var f))
            return f.ToString() switch
            {
                "json" => (false, null),
                "html" => (true, null),
                _ => (false, Problems.BadRequest(new($"f '{f}' is json or html", $"f '{f}' là json hoặc html"), "f")),
            };
        return (PrefersHtml(r), null);
    }

    /// <summary>An Accept that prefers text/html to JSON: a browser's.</summary>
    static bool PrefersHtml(HttpRequest r)
    {
        double html = 0, json = 0;
        foreach (var type in r.GetTypedHeaders().Accept)
        {
            var q = type.Quality ?? 1;
            var media = type.MediaType.Value;
            if (media == "text/html") html = Math.Max(html, q);
            else if (media is "application/json" or "application/geo+json") json = Math.Max(json, q);
        }
        return html > json;
    }

    /// <summary>
    /// A problem met on the way to a page, for a browser (f=html, or an Accept that prefers HTML): a page with the
    /// same status that says what is wrong in the page's language and leads back to the collections, not a screen
    /// of JSON for a resident who followed an old link. Other clients get the problem+json as it was.
    /// </summary>
    public static async ValueTask<object?> ProblemAsPage(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var result = await next(ctx);
        var r = ctx.HttpContext.Request;
        if (result is not Problems.Answer { StatusCode: int status } problem) return result;
        var headers = ctx.HttpContext.Response.Headers;
        if (!headers.Vary.Contains(HeaderNames.Accept)) headers.Append(HeaderNames.Vary, HeaderNames.Accept);   // also when it came before Wanted
        var wantsPage = r.Query.TryGetValue("f", out var f) ? f == "html" : PrefersHtml(r);
        if (!wantsPage) return result;
        var en = English(r);
        var body = $"""
            <p>{Text(en ? problem.Detail.En : problem.Detail.Vi ?? problem.Detail.En)}</p>
            <p><a href="{Attr(Href(r, $"{TileEndpoints.BaseUrl(r)}/ogc/collections"))}">{(en ? "The collections" : "Các lớp dữ liệu")}</a></p>
            """;
        var json = QueryString.Create(r.Query.Where(q => q.Key is not ("f" or "lang")).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
            .Append(KeyValuePair.Create("f", (string?)"json")));
        return Document(r, en ? problem.Title.En : problem.Title.Vi ?? problem.Title.En, body, $"{r.Path}{json}", status,
            (Href(r, $"{TileEndpoints.BaseUrl(r)}/ogc"), en ? "Open data" : "Dữ liệu mở"));
    }

    /// <summary>A page: its title, body, JSON twin, and the trail of pages above it (links made with <see cref="Href"/>).</summary>
    public static IResult Page(HttpRequest r, string title, string body, string jsonHref, params (string Href, string Text)[] trail) =>
        Document(r, title, body, jsonHref, StatusCodes.Status200OK, trail);

    static IResult Document(HttpRequest r, string title, string body, string jsonHref, int status, params (string Href, string Text)[] trail)
    {
        var en = English(r);
        var crumbs = string.Join(" › ", trail.Select(t => $"<a href=\"{Attr(t.Href)}\">{Text(t.Text)}</a>").Append(Text(title)));
        // The same page in the other language: this address with lang switched.
        var other = QueryString.Create(r.Query.Where(q => q.Key != "lang").SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
            .Concat(en ? [] : [KeyValuePair.Create("lang", (string?)"en")]));
        var html = $$"""
            <!doctype html>
            <html lang="{{(en ? "en" : "vi")}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Text(title)}} — WardMap, {{(en ? "open data" : "dữ liệu mở")}}</title>
            <link rel="alternate" type="application/json" href="{{Attr(jsonHref)}}">
            <style>
              body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px 32px; color: #222; }
              header { border-bottom: 3px solid #4a148c; padding: 12px 0 8px; margin-bottom: 12px; }
              header b { color: #4a148c; }
              table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
              th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
              th { background: #f3eef8; }
              th code { font-weight: normal; color: #666; font-size: 12px; }
              iframe { width: 100%; height: 420px; border: 1px solid #ccc; }
              .json { float: right; }
              nav.pages a { margin-right: 12px; }
            </style>
            </head>
            <body>
            <header><b>WardMap</b> — {{(en ? "open data" : "dữ liệu mở")}} (OGC API Features) <span class="json"><a href="{{Attr(r.Path + other.ToString())}}" lang="{{(en ? "vi" : "en")}}">{{(en ? "Tiếng Việt" : "English")}}</a> · <a href="{{Attr(jsonHref)}}">JSON</a></span><br><small>{{crumbs}}</small></header>
            <h1>{{Text(title)}}</h1>
            {{body}}
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>Rows of features (GeoJSON features as PostGIS wrote them): the id links to the feature's page.</summary>
    public static string FeatureTable(HttpRequest r, string featuresJson, IReadOnlyList<string> columns, string itemBase, IReadOnlyDictionary<string, string> landUses)
    {
        var en = English(r);
        using var doc = JsonDocument.Parse(featuresJson);
        var sb = new StringBuilder("<table><tr><th>id</th>");
        foreach (var c in columns) sb.Append("<th>").Append(Heading(c, en)).Append("</th>");
        sb.Append(en ? "<th>geometry</th></tr>" : "<th>hình học</th></tr>");
        foreach (var feature in doc.RootElement.EnumerateArray())
        {
            var id = feature.GetProperty("id").ToString();
            sb.Append($"<tr><td><a href=\"{Attr(Href(r, $"{itemBase}/{id}"))}\">{Text(id)}</a></td>");
            var props = feature.GetProperty("properties");
            foreach (var c in columns) sb.Append("<td>").Append(props.TryGetProperty(c, out var v) ? Cell(c, v, landUses, en) : "").Append("</td>");
            sb.Append("<td>").Append(Text(GeometryType(feature))).Append("</td></tr>");
        }
        return sb.Append("</table>").ToString();
    }

    /// <summary>One feature's attributes as a two-column table.</summary>
    public static string Properties(HttpRequest r, string featureJson, IReadOnlyDictionary<string, string> landUses)
    {
        var en = English(r);
        using var doc = JsonDocument.Parse(featureJson);
        var sb = new StringBuilder("<table>");
        foreach (var p in doc.RootElement.GetProperty("properties").EnumerateObject())
            sb.Append($"<tr><th>{Heading(p.Name, en)}</th><td>{Cell(p.Name, p.Value, landUses, en)}</td></tr>");
        sb.Append($"<tr><th>{(en ? "geometry" : "hình học")}</th><td>{Text(GeometryType(doc.RootElement))}</td></tr>");
        return sb.Append("</table>").ToString();
    }

    /// <summary>
    /// What a page calls an attribute: its name in the page's language, with the name the JSON and the filters use
    /// (land_use=ODT) beneath it. An attribute without a name of its own shows the JSON's.
    /// </summary>
    static string Heading(string field, bool en) =>
        Labels.ContainsKey(field) ? $"{Text(Label(field, en))}<br><code>{Text(field)}</code>" : $"<code>{Text(field)}</code>";

    public static string Label(string field, bool en) => Labels.TryGetValue(field, out var label) ? (en ? label.En : label.Vi) : field;

    /// <summary>
    /// A value as a reader understands it: a land-use code with its meaning (ODT — Đất ở tại đô thị; a compound
    /// code part by part), a kind or a status in words with the stored value as its tooltip, anything else as it is.
    /// </summary>
    static string Cell(string field, JsonElement v, IReadOnlyDictionary<string, string> landUses, bool en)
    {
        var text = Value(v);
        if (text.Length == 0) return "";
        if (field is "land_use" or "planned_use")
        {
            var meanings = text.Split('+').Select(code => landUses.GetValueOrDefault(code)).ToList();
            return meanings.All(m => m is not null) ? $"{Text(text)} — {Text(string.Join(" + ", meanings))}" : Text(text);
        }
        // Measures and counts as the language writes them (1.809,7 m² in Vietnamese: "1809.7" reads as a thousand-
        // separated 18097; 1,809.7 in English); sheet and parcel numbers are names, written as they are.
        if (v.ValueKind == JsonValueKind.Number && field is not ("sheet_no" or "parcel_no") && v.TryGetDouble(out var number))
            return Text(number.ToString("#,##0.###", Culture(en)));
        return Meanings.TryGetValue(field, out var values) && values.TryGetValue(text, out var meaning)
            ? $"<span title=\"{Attr(text)}\">{Text(en ? meaning.En : meaning.Vi)}</span>" : Text(text);
    }

    // The public attributes of the catalogue (Tiles/TileCatalog.cs) in the words of the cadastre and the planning
    // regulations (Luật Đất đai 2024; QCVN 01:2021/BXD for density, height, floor-area ratio and setback).
    static readonly Dictionary<string, (string Vi, string En)> Labels = new()
    {
        ["code"] = ("Mã", "Code"), ["name"] = ("Tên", "Name"), ["land_use"] = ("Mục đích sử dụng đất", "Land use"),
        ["sheet_no"] = ("Số tờ bản đồ", "Map sheet no."), ["parcel_no"] = ("Số thửa", "Parcel no."),
        ["legal_area_m2"] = ("Diện tích pháp lý (m²)", "Legal area (m²)"), ["address"] = ("Địa chỉ", "Address"), ["zone_code"] = ("Mã ô quy hoạch", "Zone code"),
        ["planned_use"] = ("Chức năng sử dụng đất quy hoạch", "Planned land use"), ["max_density_pct"] = ("Mật độ xây dựng tối đa (%)", "Maximum building density (%)"),
        ["max_floors"] = ("Số tầng tối đa", "Maximum floors"), ["max_height_m"] = ("Chiều cao tối đa (m)", "Maximum height (m)"),
        ["far"] = ("Hệ số sử dụng đất", "Floor-area ratio"), ["setback_m"] = ("Khoảng lùi so với chỉ giới đường đỏ (m)", "Setback from the red line (m)"),
        ["plan_ref"] = ("Quyết định phê duyệt quy hoạch", "Plan approval decision"), ["kind"] = ("Loại", "Kind"), ["width_m"] = ("Chiều rộng (m)", "Width (m)"),
        ["class"] = ("Cấp đường", "Road class"), ["population"] = ("Số nhân khẩu", "Population"), ["households"] = ("Số hộ", "Households"),
        ["status"] = ("Tình trạng", "Status"), ["public_id"] = ("Mã phản ánh", "Report id"), ["category"] = ("Loại phản ánh", "Report category"),
        ["overdue"] = ("Quá hạn", "Overdue"), ["created_at"] = ("Thời điểm gửi", "Sent at"),
    };

    /// <summary>
    /// An attribute's note on a collection's page: which values it takes, or where they come from in Vietnamese; the
    /// catalogue's English description in English, and in Vietnamese where there is nothing more to say than the name.
    /// </summary>
    public static string Note(string collection, string field, string english, bool en) =>
        (en ? null : Notes.GetValueOrDefault($"{collection}.{field}")) ?? (field == "kind"
            ? string.Join(", ", Meanings["kind"].Where(m => RedLineKinds.Contains(m.Key) == (collection == "red_lines")).Select(m => en ? m.Value.En : m.Value.Vi))
            : field == "status"
            ? string.Join(", ", Meanings["status"].Where(m => ReportStatuses.Contains(m.Key) == (collection == "field_reports")).Select(m => en ? m.Value.En : m.Value.Vi))
            : Meanings.TryGetValue(field, out var values) ? string.Join(", ", values.Values.Select(v => en ? v.En : v.Vi))
            : en ? english : Notes.GetValueOrDefault(field, english));

    // Where the values come from: the land-use codes of Thông tư 08/2024/TT-BTNMT (shared/domain/land-use-notes.md),
    // the planning indicators of QCVN 01:2021/BXD, the cadastral map's sheets, VN-2000 for measured areas.
    static readonly Dictionary<string, string> Notes = new()
    {
        ["land_use"] = "mã loại đất theo Thông tư 08/2024/TT-BTNMT; thửa nhiều mục đích ghi ghép, như ODT+CLN",
        ["planned_use"] = "mã loại đất theo quy hoạch được duyệt", ["sheet_no"] = "số tờ bản đồ địa chính", ["parcel_no"] = "số thửa trên tờ bản đồ",
        ["legal_area_m2"] = "đo trên mặt phẳng chiếu VN-2000, múi chiếu 3° của thửa", ["address"] = "số nhà, đường",
        ["max_density_pct"] = "chỉ tiêu quy hoạch (QCVN 01:2021/BXD)", ["max_floors"] = "chỉ tiêu quy hoạch (QCVN 01:2021/BXD)",
        ["max_height_m"] = "chỉ tiêu quy hoạch (QCVN 01:2021/BXD)", ["far"] = "tổng diện tích sàn trên diện tích lô đất (QCVN 01:2021/BXD)",
        ["setback_m"] = "khoảng cách từ chỉ giới đường đỏ đến chỉ giới xây dựng", ["plan_ref"] = "quyết định phê duyệt đồ án quy hoạch",
        ["zone_code"] = "ký hiệu ô trên bản vẽ quy hoạch", ["name"] = "tên gọi", ["population"] = "số nhân khẩu của tổ",
        ["households"] = "số hộ gia đình của tổ", ["width_m"] = "chiều rộng, m",
        ["ward_boundary.code"] = "mã đơn vị hành chính (QĐ 19/2025/QĐ-TTg)", ["red_lines.code"] = "ký hiệu trên bản vẽ quy hoạch",
        ["groups.code"] = "mã tổ dân phố", ["assets.code"] = "mã tài sản do phường quản lý",
        ["public_id"] = "mã người gửi nhận được để theo dõi", ["category"] = "mã loại phản ánh (danh sách: /open311/v2/services.json)",
        ["created_at"] = "giờ UTC (ISO 8601)",
    };

    static readonly HashSet<string> RedLineKinds = ["red_line", "road_widening", "protected_corridor", "building_line"];
    static readonly HashSet<string> ReportStatuses = ["new", "accepted", "in_progress", "resolved", "rejected"];

    // The stored values of the schema's enumerations (Db/Migrations/0001_schema.sql): asset kinds and red-line kinds
    // share the "kind" attribute and never a value.
    static readonly Dictionary<string, Dictionary<string, (string Vi, string En)>> Meanings = new()
    {
        ["kind"] = new()
        {
            ["light"] = ("Đèn chiếu sáng", "Street light"), ["camera"] = ("Camera an ninh", "Security camera"),
            ["loudspeaker"] = ("Cụm loa truyền thanh", "Loudspeaker cluster"), ["wifi"] = ("Điểm Wi-Fi công cộng", "Public Wi-Fi point"),
            ["school"] = ("Trường học", "School"), ["led_screen"] = ("Màn hình LED", "LED screen"), ["sensor"] = ("Cảm biến", "Sensor"),
            ["drain"] = ("Cống, rãnh thoát nước", "Drain"), ["kiosk"] = ("Ki-ốt", "Kiosk"), ["hydrant"] = ("Trụ cứu hỏa", "Fire hydrant"),
            ["bus_stop"] = ("Điểm dừng xe buýt", "Bus stop"), ["other"] = ("Khác", "Other"),
            ["red_line"] = ("Chỉ giới đường đỏ", "Red line"), ["road_widening"] = ("Phạm vi mở rộng đường", "Road widening"),
            ["protected_corridor"] = ("Hành lang bảo vệ", "Protected corridor"), ["building_line"] = ("Chỉ giới xây dựng", "Building line"),
        },
        ["status"] = new()
        {
            ["active"] = ("Đang hoạt động", "In service"), ["broken"] = ("Hỏng", "Broken"), ["maintenance"] = ("Đang bảo trì", "Under maintenance"),
            ["planned"] = ("Dự kiến lắp đặt", "Planned"), ["removed"] = ("Đã tháo dỡ", "Removed"),
            // A field report's life (field-reports.md): the buckets Vietnamese portals publish.
            ["new"] = ("Chờ tiếp nhận", "Awaiting acceptance"), ["accepted"] = ("Đã tiếp nhận", "Accepted"), ["in_progress"] = ("Đang xử lý", "In progress"),
            ["resolved"] = ("Đã xử lý", "Resolved"), ["rejected"] = ("Từ chối", "Rejected"),
        },
        ["overdue"] = new() { ["acceptance"] = ("Quá hạn tiếp nhận", "Not accepted in time"), ["resolution"] = ("Quá hạn xử lý", "Not resolved in time") },
        ["class"] = new() { ["main"] = ("Đường chính", "Main road"), ["secondary"] = ("Đường nhánh", "Secondary road") },
    };

    /// <summary>The ward's map (the IOC widget) with this collection: ringing one feature, or fitted to a bbox (lon/lat).</summary>
    public static string Map(HttpRequest r, string collection, string? highlight = null, string? bbox = null) =>
        $"<iframe title=\"{Say(r, "Bản đồ", "Map")}\" loading=\"lazy\" src=\"{Attr($"/widget?layers={collection}" + (highlight is null ? "" : $"&highlight={Uri.EscapeDataString(highlight)}")
            + (bbox is null ? "" : $"&bbox={bbox}") + (English(r) ? "&lang=en" : ""))}\"></iframe>";

    static string GeometryType(JsonElement feature) =>
        feature.TryGetProperty("geometry", out var g) && g.ValueKind == JsonValueKind.Object ? g.GetProperty("type").GetString() ?? "" : "";

    static string Value(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => v.GetString()!,
        _ => v.GetRawText(),
    };

    /// <summary>A count as the page's language writes it (25.080, 25,080).</summary>
    public static string Number(HttpRequest r, long n) => n.ToString("N0", Culture(English(r)));
    static System.Globalization.CultureInfo Culture(bool en) => System.Globalization.CultureInfo.GetCultureInfo(en ? "en-GB" : "vi-VN");

    // Vietnamese stays as it is (UTF-8), only markup characters are escaped.
    static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
    public static string Text(string s) => Encoder.Encode(s);
    public static string Attr(string s) => Encoder.Encode(s);
}
