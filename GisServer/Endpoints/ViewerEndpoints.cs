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
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = ctx =>   // hashed bundles forever, pages revalidated
                    ctx.Context.Response.Headers.CacheControl = ctx.File.Name.EndsWith(".html") ? "no-cache" : "public, max-age=31536000, immutable",
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
