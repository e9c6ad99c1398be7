using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace WardMap.GisServer.Permits;

/// <summary>A stored check as a printable page: the parcel, footprint, red lines and zones drawn (SVG, TM-3 metres), and the rule table.</summary>
public static class PermitReport
{
    const string Sql = """
        WITH c AS (SELECT * FROM permit_checks WHERE id = @id),
        p AS (SELECT p.*, ST_Transform(p.geom, p.source_srid) AS g FROM parcels p, c WHERE p.id = c.parcel_id),
        frame AS (SELECT ST_Expand(p.g, 15) AS box, p.source_srid AS srid FROM p)
        SELECT c.result::text, c.created_at, c.who,
               (SELECT ST_AsSVG(ST_Translate(p.g, -ST_XMin(box), -ST_YMax(box)), 0, 2) FROM p, frame),
               (SELECT ST_AsSVG(ST_Translate(ST_Transform(c.footprint, srid), -ST_XMin(box), -ST_YMax(box)), 0, 2) FROM frame),
               (SELECT string_agg(ST_AsSVG(ST_Translate(ST_Intersection(ST_Transform(r.geom, srid), box), -ST_XMin(box), -ST_YMax(box)), 0, 2), ' ')
                  FROM red_lines r, frame WHERE ST_Intersects(ST_Transform(r.geom, srid), box)),
               -- a zone's own edges within the frame, not the frame's edges where the zone runs on beyond it
               (SELECT string_agg(ST_AsSVG(ST_Translate(ST_Intersection(ST_Boundary(ST_Transform(z.geom, srid)), box), -ST_XMin(box), -ST_YMax(box)), 0, 2), ' ')
                  FROM zones z, frame WHERE ST_Intersects(ST_Transform(z.geom, srid), box)),
               (SELECT ST_XMax(box) - ST_XMin(box) FROM frame), (SELECT ST_YMax(box) - ST_YMin(box) FROM frame),
               -- the parcels around it, so the reviewer sees the street front and the party walls
               (SELECT string_agg(ST_AsSVG(ST_Translate(ST_Intersection(ST_Boundary(ST_Transform(o.geom, srid)), box), -ST_XMin(box), -ST_YMax(box)), 0, 2), ' ')
                  FROM parcels o, p, frame WHERE o.id <> p.id AND ST_Intersects(o.geom, ST_Transform(box, 4326)))
        FROM c
        """;

    // Escapes markup but keeps Vietnamese letters readable in the page source.
    static readonly System.Text.Encodings.Web.HtmlEncoder Html = System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
    static readonly Dictionary<string, string> Words = new() { ["pass"] = "Đạt", ["fail"] = "Không đạt", ["review"] = "Cần xem xét" };

    public static async Task<string?> HtmlAsync(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(Sql);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        using var result = JsonDocument.Parse(r.GetString(0));
        var root = result.RootElement;
        string E(string? s) => Html.Encode(s ?? "");
        string Svg(int i) => r.IsDBNull(i) ? "" : r.GetString(i);
        double w = r.GetDouble(7), h = r.GetDouble(8);
        var verdict = root.GetProperty("verdict").GetString()!;
        var sb = new StringBuilder();
        sb.Append($$"""
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Kiểm tra cấp phép #{{id}}</title>
            <style>body{font:14px "DejaVu Sans",sans-serif;margin:2rem;color:#263238} table{border-collapse:collapse;width:100%}
            th,td{border:1px solid #ccc;padding:.3rem .4rem;text-align:left;vertical-align:top} .pass{color:#2e7d32} .fail{color:#c62828;font-weight:bold}
            .review{color:#ef6c00;font-weight:bold} svg{border:1px solid #999;max-width:480px} @media print { body{margin:0} }</style></head><body>
            <h1>Kết quả kiểm tra cấp phép xây dựng nhà ở riêng lẻ #{{id}}</h1>
            <p>Thửa {{root.GetProperty("parcel_no").GetInt32()}}, tờ {{root.GetProperty("sheet_no").GetInt32()}} · hệ tọa độ {{E(root.GetProperty("crs").GetString())}}
            · bộ quy tắc <b>{{E(root.GetProperty("rule_set").GetString())}}</b> ({{E(root.GetProperty("rule_set_name").GetString())}})
            · lập {{r.GetDateTime(1).ToLocalTime():dd/MM/yyyy HH:mm}} bởi {{E(r.GetString(2))}}</p>
            <p>Kết luận: <span class="{{verdict}}">{{Words[verdict]}}</span></p>
            <svg viewBox="0 0 {{F(w)}} {{F(h)}}" width="480" height="{{F(480 * h / w)}}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Sơ đồ thửa, công trình, chỉ giới">
              <path class="neighbours" d="{{Svg(9)}}" fill="none" stroke="#9e9e9e" stroke-width="0.2"/>
              <path class="zones" d="{{Svg(6)}}" fill="none" stroke="#6d4c41" stroke-width="0.3" stroke-dasharray="1 0.6"/>
              <path d="{{Svg(5)}}" fill="#e53935" fill-opacity="0.35" stroke="#c62828" stroke-width="0.3"/>
              <path d="{{Svg(3)}}" fill="#ffe0b2" stroke="#e65100" stroke-width="0.4"/>
              <path d="{{Svg(4)}}" fill="#1e88e5" fill-opacity="0.45" stroke="#0d47a1" stroke-width="0.3"/>
              {{ScaleAndNorth(w, h)}}
            </svg>
            <p><small>Cam: thửa đất · xanh: công trình · đỏ: chỉ giới/hành lang · nét đứt nâu: ranh giới khu quy hoạch · xám: thửa liền kề. Khung {{Vi(w)}} × {{Vi(h)}} m, hướng bắc lưới VN-2000 lên trên.</small></p>
            <table><tr><th>Quy tắc</th><th>Giá trị đo</th><th>Giới hạn</th><th>Kết quả</th><th>Căn cứ</th><th>Ghi chú</th></tr>
            """);
        foreach (var row in root.GetProperty("rules").EnumerateArray())
        {
            var res = row.GetProperty("result").GetString()!;
            var unit = row.GetProperty("unit").GetString();
            sb.Append($"<tr><td>{E(row.GetProperty("title").GetString())}</td><td>{E(Val(row.GetProperty("value")))} {E(unit)}</td>")
              .Append($"<td>{E(Val(row.GetProperty("limit")))}</td><td class=\"{res}\">{Words[res]}</td>")
              .Append($"<td>{E(row.GetProperty("reference").GetString())}</td><td>{E(row.TryGetProperty("note", out var n) ? n.GetString() : "")}</td></tr>");
        }
        sb.Append("</table><p><small>WardMap kiểm tra phần không gian của hồ sơ; cán bộ thụ lý quyết định.</small></p></body></html>");
        return sb.ToString();
    }

    // A scale bar (the longest round length within a third of the frame) and grid north, in the drawing's metres; text ~12 px high.
    static string ScaleAndNorth(double w, double h)
    {
        double bar = new[] { 5.0, 10, 20, 50, 100, 200 }.LastOrDefault(l => l <= w / 3, 5), size = w / 40, pad = w / 30;
        return $"""
            <g class="scale" font-size="{F(size)}" fill="#263238"><path d="M {F(pad)} {F(h - pad)} h {F(bar)}" stroke="#263238" stroke-width="{F(size / 4)}"/>
              <text x="{F(pad)}" y="{F(h - pad - size / 2)}">0</text><text x="{F(pad + bar)}" y="{F(h - pad - size / 2)}" text-anchor="middle">{F(bar)} m</text>
              <text x="{F(w - pad)}" y="{F(pad + size)}" text-anchor="end">↑ B</text></g>
            """;
    }

    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    static string Vi(double v) => v.ToString("#,##0.##", CultureInfo.GetCultureInfo("vi-VN"));
    static string Val(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        JsonValueKind.Number => v.GetDouble().ToString("0.##", CultureInfo.GetCultureInfo("vi-VN")),
        _ => v.ToString(),
    };
}
