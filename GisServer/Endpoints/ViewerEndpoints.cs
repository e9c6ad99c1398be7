using Microsoft.Extensions.FileProviders;
using Npgsql;
using WardMap.GisServer.Auth;

namespace WardMap.GisServer.Endpoints;

/// <summary>The built Viewer (Viewer/dist) at / and the IOC widget at /widget, plus the small lookups they use.</summary>
public static class ViewerEndpoints
{
    public static void Map(WebApplication app)
    {
        var dist = FindDist(app.Configuration["Viewer:Dist"]);
        if (dist is not null)
        {
            var files = new PhysicalFileProvider(dist);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.Use((ctx, next) => { PickPrecompressed(ctx, files); return next(ctx); });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                ContentTypeProvider = new PrecompressedContentTypes(),
                OnPrepareResponse = ctx =>
                {
                    var headers = ctx.Context.Response.Headers;
                    // Hashed bundles forever, pages revalidated.
                    headers.CacheControl = ctx.File.Name.EndsWith(".html") ? "no-cache" : "public, max-age=31536000, immutable";
                    if (!ctx.Context.Request.Path.StartsWithSegments(Bundles)) return;
                    headers.Vary = "Accept-Encoding";
                    if (EncodingOf(ctx.File.Name) is { } encoding) headers.ContentEncoding = encoding.Name;
                },
            });
            app.MapGet("/widget", () => Results.File(Path.Combine(dist, "widget.html"), "text/html; charset=utf-8")).ExcludeFromDescription();
        }
        else
            app.MapGet("/", () => Results.Text("WardMap is running, but the Viewer is not built: run ./wardmap run (it builds Viewer/ with npm).", "text/plain; charset=utf-8"))
               .ExcludeFromDescription();

        app.MapGet("/api/me", (HttpContext ctx) => Results.Ok(new { role = ctx.User.Role(), name = ctx.User.Identity?.Name }))
            .WithTags("system").WithSummary("Who the caller is: the role of its key (public without one).");
        app.MapGet("/api/land-use-codes", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var cmd = db.CreateCommand("SELECT json_agg(json_build_object('code', code, 'category', category, 'meaning_vi', meaning_vi, 'meaning_en', meaning_en, 'color', color) ORDER BY code)::text FROM land_use_codes");
            return Results.Text((string)(await cmd.ExecuteScalarAsync(ct))!, "application/json");
        }).WithTags("system").WithSummary("Land-use codes (Thông tư 08/2024/TT-BTNMT) with their legend colours.");
    }

    // Vite's hashed bundles. The build writes x.js.br and x.js.gz beside each (Viewer/vite.config.js).
    const string Bundles = "/assets";

    /// <summary>The encoding of a precompressed copy (x.js.br -> br), null for any other file.</summary>
    static (string Name, string Suffix)? EncodingOf(string file)
    {
        foreach (var e in ContentEncodings.Offered) if (file.EndsWith(e.Suffix)) return e;
        return null;
    }

    /// <summary>Points a bundle request at its compressed copy when the browser accepts that encoding.</summary>
    static void PickPrecompressed(HttpContext ctx, IFileProvider files)
    {
        var path = ctx.Request.Path.Value;
        if (!(HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method)) || path is null || !ctx.Request.Path.StartsWithSegments(Bundles)) return;
        if (ContentEncodings.Preferred(ctx.Request, e => files.GetFileInfo(path + e.Suffix).Exists) is { } copy) ctx.Request.Path = path + copy.Suffix;
    }

    /// <summary>x.js.br is served as JavaScript (with Content-Encoding br), not as an unknown file.</summary>
    sealed class PrecompressedContentTypes : Microsoft.AspNetCore.StaticFiles.IContentTypeProvider
    {
        readonly Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider _known = new();
        public bool TryGetContentType(string subpath, out string contentType) =>
            _known.TryGetContentType(EncodingOf(subpath) is { } e ? subpath[..^e.Suffix.Length] : subpath, out contentType!);
    }

    /// <summary>Viewer:Dist, else Viewer/dist in the checkout the server runs from.</summary>
    static string? FindDist(string? configured)
    {
        if (configured is not null) return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WardMap.sln")))
                return Directory.Exists(Path.Combine(dir.FullName, "Viewer", "dist")) ? Path.Combine(dir.FullName, "Viewer", "dist") : null;
        return null;
    }
}
