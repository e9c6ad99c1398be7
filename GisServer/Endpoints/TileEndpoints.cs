using Microsoft.Net.Http.Headers;
using Npgsql;
using WardMap.GisServer.Auth;
using WardMap.Tiles;

namespace WardMap.GisServer.Endpoints;

/// <summary>
/// Vector tiles, TileJSON, the catalogue and MapLibre styles. The endpoint only parses and checks the
/// request; <see cref="TileService"/> answers from its cache or builds the tile in one SQL statement.
/// </summary>
public static class TileEndpoints
{
    public const int MaxZoom = 22;

    public static void Map(WebApplication app)
    {
        var tiles = app.MapGroup("").WithTags("tiles");
        tiles.MapGet("/tiles/{layers}/{z}/{x}/{y}.mvt", GetTile)
            .WithSummary("A Mapbox Vector Tile of one or more catalogue layers (comma list), gzip-compressed. ?variant=officer adds owners (officer key).");
        // The same tile under the extension pg_tileserv and OpenMapTiles use, for a URL template written for them.
        tiles.MapGet("/tiles/{layers}/{z}/{x}/{y}.pbf", GetTile).ExcludeFromDescription();
        tiles.MapGet("/tiles/{layers}.json", GetTileJson).WithSummary("TileJSON 3.0.0 for one or more catalogue layers.");
        tiles.MapGet("/tiles", (HttpRequest request) => Results.Ok(new
        {
            layers = TileCatalog.All.Select(l => new
            {
                name = l.Name, description = l.Description, minzoom = l.MinZoom, maxzoom = l.MaxZoom, geometry = l.GeometryType,
                fields = l.Fields.Where(f => !f.PersonalData).Select(f => new { name = f.Name, type = f.Type, description = f.Description, minzoom = Math.Max(f.MinZoom, l.MinZoom) }),
                officer_fields = l.Fields.Where(f => f.PersonalData).Select(f => f.Name),
                tilejson = $"{BaseUrl(request)}/tiles/{l.Name}.json",
            }),
            styles = Styles.Names.Select(n => $"{BaseUrl(request)}/styles/{n}.json"),
        })).WithSummary("The tile layer catalogue: layers, zooms, fields, TileJSON and style links.");
        tiles.MapGet("/styles/{name}.json", GetStyle).WithSummary("A MapLibre style: base, cadastral, planning or ioc; ?layers=a,b keeps just those catalogue layers (and adds any the style lacks).");
        tiles.MapGet("/fonts/{fontstack}/{range}.pbf", (HttpContext ctx, string fontstack, string range, Glyphs glyphs) =>
        {
            var parts = range.Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var start) || !int.TryParse(parts[1], out var end) || start % 256 != 0 || end != start + 255 || start > 0xFFFF)
                return Problems.BadRequest($"range '{range}' must be START-END with START a multiple of 256 and END = START + 255", "range");
            ctx.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Bytes(glyphs.Range(fontstack, start), "application/x-protobuf");
        }).WithSummary("MapLibre glyphs (SDF, 24 px) for a font stack and a 256-codepoint range, made from the server's DejaVu Sans.");
    }

    public static string BaseUrl(HttpRequest r) => $"{r.Scheme}://{r.Host}{r.PathBase}";

    static async Task<IResult> GetTile(HttpContext ctx, string layers, string z, string x, string y, string? variant, TileService tiles, CancellationToken ct)
    {
        var (resolved, error) = TileCatalog.Resolve(layers);
        if (resolved is null) return NoSuchLayers(error!.Value);
        if (!int.TryParse(z, out var zi) || zi < 0 || zi > MaxZoom) return Problems.BadRequest($"zoom '{z}' must be a whole number from 0 to {MaxZoom}", "z");
        long n = 1L << zi;
        if (!long.TryParse(x, out var xi) || xi < 0 || xi >= n) return Problems.BadRequest($"x '{x}' must be from 0 to {n - 1} at zoom {zi}", "x");
        if (!long.TryParse(y, out var yi) || yi < 0 || yi >= n) return Problems.BadRequest($"y '{y}' must be from 0 to {n - 1} at zoom {zi}", "y");
        bool officer = variant switch
        {
            null or "" or "public" => false,
            "officer" when ctx.User.SeesPersonalData() => true,
            "officer" when ctx.User.Identity?.IsAuthenticated != true => throw new BadHttpRequestException("the officer variant needs an API key", StatusCodes.Status401Unauthorized),
            "officer" => throw new ForbiddenVariant(),
            _ => throw new BadHttpRequestException($"variant '{variant}' is not public or officer"),
        };

        var gzip = AcceptsGzip(ctx.Request);
        var etag = tiles.ETagFor(resolved, officer, gzip);
        var headers = ctx.Response.Headers;
        headers.ETag = etag;
        // Field reports change by the minute; other layers with imports. An import changes the ETag, so
        // a client or CDN revalidates cheaply with If-None-Match.
        var maxAge = resolved.Any(l => l.Name == "field_reports") ? 5 : 60;
        headers.CacheControl = officer ? $"private, max-age={maxAge}" : $"public, max-age={maxAge}, stale-while-revalidate=600";
        headers.Vary = "Accept-Encoding, Authorization";
        if (ETags.ClientHas(ctx.Request, etag))
            return Results.StatusCode(StatusCodes.Status304NotModified);

        var tile = await tiles.GetAsync(resolved, zi, (int)xi, (int)yi, officer, ct);
        headers["X-Tile-Cache"] = tile.FromCache ? "hit" : "miss";
        if (!tile.FromCache) headers["Server-Timing"] = $"db;dur={tile.DatabaseMs:0.0}, gzip;dur={tile.GzipMs:0.00}";
        if (tile.IsEmpty) return Results.NoContent();
        if (gzip)
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(tile.Gzipped, "application/vnd.mapbox-vector-tile");
        }
        return Results.Bytes(TileService.Gunzip(tile.Gzipped), "application/vnd.mapbox-vector-tile");
    }

    // Browsers send a plain list ("gzip, deflate, br, zstd"), read with one search on this hot path; a list with
    // weights is parsed, so that "gzip;q=0" (no gzip) gets the plain tile.
    static bool AcceptsGzip(HttpRequest r)
    {
        var header = r.Headers.AcceptEncoding.ToString();
        return header.Contains("gzip", StringComparison.OrdinalIgnoreCase)
            && (!header.Contains("q=", StringComparison.OrdinalIgnoreCase) || ContentEncodings.Preferred(r, e => e.Name == "gzip") is not null);
    }

    static async Task<IResult> GetTileJson(HttpContext ctx, string layers, NpgsqlDataSource db, CancellationToken ct)
    {
        var (resolved, error) = TileCatalog.Resolve(layers);
        if (resolved is null) return NoSuchLayers(error!.Value);
        var extent = await WardExtent.ReadAsync(db, ct);
        // An officer's document lists the personal fields too, so it stays out of shared caches; the credit
        // speaks the client's language, like the styles'.
        var officer = ctx.User.SeesPersonalData();
        var english = Problems.Prefers(ctx.Request, "en");
        var headers = ctx.Response.Headers;
        headers.CacheControl = officer ? "private, max-age=60" : "public, max-age=60";
        headers.Vary = "Accept-Language, Authorization";
        headers.ContentLanguage = english ? "en" : "vi";
        return Results.Json(TileJson.For(resolved, BaseUrl(ctx.Request), extent, officer, english));
    }

    static async Task<IResult> GetStyle(HttpContext ctx, string name, string? layers, NpgsqlDataSource db, CancellationToken ct)
    {
        IReadOnlyList<TileLayer>? only = null;
        if (layers is not null)
        {
            var (resolved, error) = TileCatalog.Resolve(layers);
            if (resolved is null) return NoSuchLayers(error!.Value);
            only = resolved;
        }
        var colors = new Dictionary<string, string>();
        await using (var cmd = db.CreateCommand("SELECT code, color FROM land_use_codes"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) colors[r.GetString(0)] = r.GetString(1);
        // The attribution in English for a client that prefers it (the viewer asks in its interface's language).
        var english = Problems.Prefers(ctx.Request, "en");
        var style = Styles.For(name, BaseUrl(ctx.Request), await WardExtent.ReadAsync(db, ct), colors, only, english);
        if (style is null) return Problems.NotFound($"no style '{name}'; styles: {string.Join(", ", Styles.Names)}");
        ctx.Response.Headers.CacheControl = "public, max-age=60";
        ctx.Response.Headers.Append("Vary", "Accept-Language");
        ctx.Response.Headers.ContentLanguage = english ? "en" : "vi";
        return Results.Json(style);
    }

    static IResult NoSuchLayers((string En, string Vi) why) =>
        Problems.NotFound(new Said($"{why.En}; GET /tiles lists the layers", $"{why.Vi}; GET /tiles liệt kê các lớp"));

    /// <summary>The officer variant asked without an officer's key.</summary>
    public sealed class ForbiddenVariant() : Exception("the officer variant needs an officer's or admin's key");
}
