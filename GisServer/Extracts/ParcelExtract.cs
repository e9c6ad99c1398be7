using System.Globalization;
using NetTopologySuite.Geometries;
using Npgsql;
using SkiaSharp;

namespace WardMap.GisServer.Extracts;

/// <summary>
/// A parcel extract (trích lục bản đồ địa chính): the parcel and its neighbours drawn to scale in the
/// parcel's VN-2000 TM-3 zone, with sheet/parcel numbers, edge lengths and vertex coordinates (X northing,
/// Y easting, two decimals, as the register prints them), area, land use, north arrow and scale bar.
/// The numbers are computed once (<see cref="Data"/>) and both printed and served as JSON.
/// </summary>
public sealed class ParcelExtract
{
    public sealed record Vertex(int No, double X, double Y);
    public sealed record Edge(int From, int To, double LengthM);
    public sealed record Neighbour(long Id, int SheetNo, int ParcelNo, Geometry Geometry);
    public sealed record Data(long Id, int SheetNo, int ParcelNo, string LandUse, string? LandUseName, double LegalAreaM2, double MeasuredAreaM2,
        string? Address, string? Owner, int Srid, string Ward, Geometry Geometry, IReadOnlyList<Vertex> Vertices, IReadOnlyList<Edge> Edges,
        IReadOnlyList<Neighbour> Neighbours);

    const string Sql = """
        SELECT p.id, p.sheet_no, p.parcel_no, p.land_use,
               land_use_name(p.land_use),
               p.legal_area_m2::float8, p.address, CASE WHEN @officer THEN p.owner_name END, p.source_srid,
               ST_Transform(p.geom, p.source_srid),
               COALESCE((SELECT name FROM ward_boundary ORDER BY id LIMIT 1), '')
        FROM parcels p WHERE p.id = @id
        """;

    const string NeighbourSql = """
        SELECT o.id, o.sheet_no, o.parcel_no, ST_Transform(o.geom, me.source_srid)
        FROM parcels me JOIN parcels o ON o.id <> me.id AND ST_Intersects(o.geom, me.geom)
        WHERE me.id = @id ORDER BY o.sheet_no, o.parcel_no
        """;

    public static async Task<Data?> LoadAsync(NpgsqlDataSource db, long id, bool officer, CancellationToken ct)
    {
        Data? data;
        await using (var cmd = db.CreateCommand(Sql))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("officer", officer);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            var geom = (Geometry)r.GetValue(9);
            var shell = ((Polygon)geom.GetGeometryN(0)).Shell.Coordinates;
            // Vertices numbered from 1 around the outer ring, as on a cadastral extract; the ring's closing point is the first.
            var vertices = shell.Take(shell.Length - 1).Select((c, i) => new Vertex(i + 1, Math.Round(c.Y, 2), Math.Round(c.X, 2))).ToList();
            var edges = vertices.Select((v, i) =>
            {
                var a = shell[i]; var b = shell[i + 1];
                return new Edge(v.No, i + 2 > vertices.Count ? 1 : i + 2, Math.Round(a.Distance(b), 2));
            }).ToList();
            data = new Data(r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetDouble(5),
                Math.Round(geom.Area, 1), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8), r.GetString(10),
                geom, vertices, edges, []);
        }
        var neighbours = new List<Neighbour>();
        await using (var cmd = db.CreateCommand(NeighbourSql))
        {
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) neighbours.Add(new Neighbour(r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), (Geometry)r.GetValue(3)));
        }
        return data with { Neighbours = neighbours };
    }

    // ---- drawing ---------------------------------------------------------------------------------

    const float PageW = 595, PageH = 842, Margin = 36;   // A4 in points
    static readonly SKTypeface Face = SKTypeface.FromFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") ?? SKTypeface.Default;
    static readonly SKTypeface Bold = SKTypeface.FromFile("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf") ?? Face;

    public static byte[] Pdf(Data d)
    {
        using var stream = new MemoryStream();
        using (var doc = SKDocument.CreatePdf(stream, new SKDocumentPdfMetadata { Title = $"Trích lục thửa {d.ParcelNo} tờ {d.SheetNo}", Creator = "WardMap" }))
        {
            Draw(doc.BeginPage(PageW, PageH), d);
            doc.EndPage();
        }
        return stream.ToArray();
    }

    public static byte[] Png(Data d, float scale = 2)
    {
        using var surface = SKSurface.Create(new SKImageInfo((int)(PageW * scale), (int)(PageH * scale)));
        var canvas = surface.Canvas;
        canvas.Scale(scale);
        Draw(canvas, d);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 90);
        return png.ToArray();
    }

    static string N(double v, int decimals = 2) => v.ToString("N" + decimals, CultureInfo.GetCultureInfo("vi-VN"));

    static void Draw(SKCanvas c, Data d)
    {
        c.Clear(SKColors.White);
        using var text = new SKFont(Face, 10);
        using var small = new SKFont(Face, 7.5f);
        using var title = new SKFont(Bold, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grey = new SKPaint { Color = new SKColor(0x66, 0x66, 0x66), IsAntialias = true };
        float y = Margin + 14;
        Center(c, "TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH", y, title, ink);
        y += 16;
        Center(c, d.Ward.Length > 0 ? d.Ward : "Phường", y, text, ink);
        y += 22;
        var lines = new List<string>
        {
            $"Thửa đất số: {d.ParcelNo}        Tờ bản đồ số: {d.SheetNo}",
            $"Diện tích: {N(d.LegalAreaM2, 1)} m²        Mục đích sử dụng: {d.LandUse}{(d.LandUseName is null ? "" : $" ({d.LandUseName})")}",
            $"Địa chỉ: {d.Address ?? "—"}",
        };
        if (d.Owner is not null) lines.Add($"Người sử dụng đất: {d.Owner}");
        lines.Add($"Hệ tọa độ VN-2000, múi chiếu 3° (EPSG:{d.Srid}); kích thước cạnh và tọa độ đỉnh tính bằng mét");
        foreach (var l in lines) { c.DrawText(l, Margin, y, SKTextAlign.Left, text, ink); y += 14; }

        // The drawing: a square frame, the parcel scaled to fill ~60 % of it, neighbours around it.
        var frame = new SKRect(Margin, y + 6, PageW - Margin, y + 6 + (PageW - 2 * Margin));
        using (var framePaint = new SKPaint { Style = SKPaintStyle.Stroke, Color = SKColors.Gray, StrokeWidth = 0.5f }) c.DrawRect(frame, framePaint);
        var env = d.Geometry.EnvelopeInternal;
        // A round scale (1:200, 1:500, …) at which the parcel fills at most ~60 % of the frame: drawn to scale.
        const double PointsPerMetreOfPaper = 72 / 0.0254;
        var ratio = NiceRatio(Math.Max(env.Width, env.Height) / 0.6 / (frame.Width / PointsPerMetreOfPaper));
        double scale = PointsPerMetreOfPaper / ratio;                        // points per metre on the ground
        double cx = env.Centre.X, cy = env.Centre.Y;
        SKPoint P(Coordinate p) => new((float)(frame.MidX + (p.X - cx) * scale), (float)(frame.MidY - (p.Y - cy) * scale));

        // A neighbour is numbered inside the part of it the frame shows (a line of text in from the frame's edge):
        // its own interior point is often beyond the frame, where the number would be cut off or lost.
        double inset = 16 / scale;
        var shown = d.Geometry.Factory.ToGeometry(new Envelope(
            cx - frame.Width / 2 / scale + inset, cx + frame.Width / 2 / scale - inset,
            cy - frame.Height / 2 / scale + inset, cy + frame.Height / 2 / scale - inset));
        c.Save();
        c.ClipRect(frame);
        using (var neighbourPaint = new SKPaint { Style = SKPaintStyle.Stroke, Color = SKColors.Gray, StrokeWidth = 0.6f, IsAntialias = true })
            foreach (var n in d.Neighbours)
            {
                c.DrawPath(PathOf(n.Geometry, P), neighbourPaint);
                var inside = n.Geometry.Intersection(shown);
                if (inside.IsEmpty) continue;
                var label = P(inside.InteriorPoint.Coordinate);
                c.DrawText(n.SheetNo == d.SheetNo ? $"{n.ParcelNo}" : $"{n.ParcelNo} (tờ {n.SheetNo})", label.X, label.Y + 4, SKTextAlign.Center, text, grey);
            }
        using (var fill = new SKPaint { Style = SKPaintStyle.Fill, Color = new SKColor(0xff, 0xe0, 0xb2), IsAntialias = true })
            c.DrawPath(PathOf(d.Geometry, P), fill);
        using (var outline = new SKPaint { Style = SKPaintStyle.Stroke, Color = SKColors.Red, StrokeWidth = 1.4f, IsAntialias = true })
            c.DrawPath(PathOf(d.Geometry, P), outline);
        var centre = P(d.Geometry.InteriorPoint.Coordinate);
        using (var big = new SKFont(Bold, 12)) c.DrawText($"{d.ParcelNo}", centre.X, centre.Y - 2, SKTextAlign.Center, big, ink);
        c.DrawText($"{N(d.LegalAreaM2, 1)} m²", centre.X, centre.Y + 10, SKTextAlign.Center, small, ink);
        c.DrawText(d.LandUse, centre.X, centre.Y + 19, SKTextAlign.Center, small, ink);

        var shell = ((Polygon)d.Geometry.GetGeometryN(0)).Shell.Coordinates;
        using var red = new SKPaint { Color = SKColors.DarkRed, IsAntialias = true };
        for (int i = 0; i < d.Vertices.Count; i++)
        {
            var a = P(shell[i]); var b = P(shell[i + 1]);
            c.DrawCircle(a, 2, red);
            c.DrawText($"{d.Vertices[i].No}", a.X + 3, a.Y - 3, SKTextAlign.Left, small, red);
            // Edge length beside the edge's middle, pushed outwards from the parcel.
            var mid = new SKPoint((a.X + b.X) / 2, (a.Y + b.Y) / 2);
            var away = new SKPoint(mid.X - centre.X, mid.Y - centre.Y);
            var len = MathF.Max(1, MathF.Sqrt(away.X * away.X + away.Y * away.Y));
            c.DrawText(N(d.Edges[i].LengthM), mid.X + away.X / len * 12, mid.Y + away.Y / len * 12 + 3, SKTextAlign.Center, small, ink);
        }
        c.Restore();

        // North arrow and scale bar.
        var north = new SKPoint(frame.Right - 24, frame.Top + 40);
        using (var arrow = new SKPath())
        {
            arrow.MoveTo(north.X, north.Y - 22); arrow.LineTo(north.X - 7, north.Y); arrow.LineTo(north.X, north.Y - 6); arrow.LineTo(north.X + 7, north.Y); arrow.Close();
            c.DrawPath(arrow, ink);
        }
        c.DrawText("B", north.X, north.Y + 12, SKTextAlign.Center, text, ink);
        double barMetres = NiceLength(frame.Width * 0.25 / scale);
        float barLen = (float)(barMetres * scale);
        var bar = new SKPoint(frame.Left + 14, frame.Bottom - 18);
        using (var barPaint = new SKPaint { Color = SKColors.Black, StrokeWidth = 2 })
        {
            c.DrawLine(bar.X, bar.Y, bar.X + barLen, bar.Y, barPaint);
            c.DrawLine(bar.X, bar.Y - 4, bar.X, bar.Y + 4, barPaint);
            c.DrawLine(bar.X + barLen, bar.Y - 4, bar.X + barLen, bar.Y + 4, barPaint);
        }
        c.DrawText("0", bar.X, bar.Y - 6, SKTextAlign.Center, small, ink);
        c.DrawText($"{barMetres:0} m", bar.X + barLen, bar.Y - 6, SKTextAlign.Center, small, ink);
        c.DrawText($"Tỷ lệ 1:{ratio:N0}", frame.Right - 10, frame.Bottom - 10, SKTextAlign.Right, small, ink);

        // Vertex coordinates and edge lengths, two columns under the drawing.
        y = frame.Bottom + 18;
        c.DrawText("Tọa độ đỉnh thửa (VN-2000)", Margin, y, SKTextAlign.Left, text, ink);
        c.DrawText("Chiều dài cạnh", PageW / 2 + 20, y, SKTextAlign.Left, text, ink);
        y += 13;
        c.DrawText("Điểm      X (m)              Y (m)", Margin, y, SKTextAlign.Left, small, grey);
        c.DrawText("Cạnh         Dài (m)", PageW / 2 + 20, y, SKTextAlign.Left, small, grey);
        foreach (var (v, e) in d.Vertices.Zip(d.Edges))
        {
            y += 11;
            if (y > PageH - Margin) break;
            c.DrawText($"{v.No,-6}  {N(v.X),15}   {N(v.Y),13}", Margin, y, SKTextAlign.Left, small, ink);
            c.DrawText($"{e.From}-{e.To,-6}  {N(e.LengthM),10}", PageW / 2 + 20, y, SKTextAlign.Left, small, ink);
        }
        c.DrawText($"Lập bởi WardMap ngày {DateTime.Now:dd/MM/yyyy} — bản trích lục tham khảo, không thay thế bản do cơ quan đăng ký đất đai cấp.",
            Margin, PageH - Margin / 2, SKTextAlign.Left, small, grey);
    }

    static SKPath PathOf(Geometry g, Func<Coordinate, SKPoint> p)
    {
        var path = new SKPath { FillType = SKPathFillType.EvenOdd };
        for (int i = 0; i < g.NumGeometries; i++)
            if (g.GetGeometryN(i) is Polygon poly)
                foreach (var ring in new[] { poly.Shell }.Concat(poly.Holes))
                {
                    var cs = ring.Coordinates;
                    path.MoveTo(p(cs[0]));
                    foreach (var c in cs.Skip(1)) path.LineTo(p(c));
                    path.Close();
                }
        return path;
    }

    static void Center(SKCanvas c, string s, float y, SKFont f, SKPaint p) => c.DrawText(s, PageW / 2, y, SKTextAlign.Center, f, p);

    static double NiceLength(double metres)
    {
        foreach (var n in new double[] { 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000 }) if (n >= metres * 0.7) return n;
        return Math.Round(metres, -3);
    }

    static double NiceRatio(double r)
    {
        foreach (var n in new double[] { 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000 }) if (n >= r * 0.95) return n;
        return Math.Round(r, -3);
    }
}
