using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Npgsql;
using WardMap.Db;
using WardMap.GisServer.Auth;
using WardMap.GisServer.Endpoints;
using WardMap.GisServer.Queries;
using WardMap.Tiles;

namespace WardMap.GisServer;

/// <summary>
/// Wires HTTP to the parts: configuration, auth, problem+json, request logs and the endpoint groups.
/// Tests build the same application on a free port.
/// </summary>
public static class Server
{
    public static WebApplication Build(string[] args, string? connectionString = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Precedence: command line > WARDMAP_* environment > appsettings.json > defaults.
        builder.Configuration.AddEnvironmentVariables("WARDMAP_");
        builder.Configuration.AddCommandLine(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // A failed start (busy port) is told in one sentence by Program, not as a logged stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        var connection = WardDatabase.ConfiguredConnectionString(connectionString ?? builder.Configuration["DB"]);
        builder.Services.AddSingleton(_ => WardDatabase.Open(connection));
        builder.Services.AddSingleton<DatabaseState>();
        var cacheMb = builder.Configuration.GetValue("Tiles:CacheMegabytes", 256);
        builder.Services.AddSingleton(_ => new TileCache(cacheMb * 1024L * 1024L));
        builder.Services.AddSingleton<LayerVersionWatcher>();
        builder.Services.AddSingleton<TileService>();
        builder.Services.AddSingleton<ConflictTable>();
        builder.Services.AddSingleton<ReportSummary>();
        builder.Services.AddSingleton(sp => new TileSeeder(sp.GetRequiredService<TileService>(), sp.GetRequiredService<LayerVersionWatcher>(), sp.GetRequiredService<NpgsqlDataSource>())
        {
            MaxZoom = builder.Configuration.GetValue("Tiles:SeedMaxZoom", 15),
        });
        builder.Services.AddSingleton(_ => new Glyphs(builder.Configuration["Fonts:File"]));
        builder.Services.AddSingleton(_ => WardMap.GisServer.Permits.PermitRules.Load(builder.Configuration["Permits:RulesFile"]));
        var photoDir = builder.Configuration["Reports:PhotoDir"]
            ?? Path.Combine(Environment.GetEnvironmentVariable("WARDMAP_HOME") ?? Path.Combine(Path.GetTempPath(), "wardmap"), "photos");
        builder.Services.AddSingleton(sp => new WardMap.GisServer.Reports.FieldReports(sp.GetRequiredService<NpgsqlDataSource>(), photoDir));
        WardMap.GisServer.Reports.SubmissionLimit.Add(builder.Services,
            builder.Configuration.GetValue("Reports:PerClientPerHour", WardMap.GisServer.Reports.SubmissionLimit.DefaultPerHour));
        // A reverse proxy on this machine (nginx, Caddy), or one named in Proxies:Trusted, tells the client's
        // address and scheme: the report limit counts residents, not the proxy, and OGC links keep https.
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in (builder.Configuration["Proxies:Trusted"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        });
        // Other web pages may use the API from the browser — the residents' mini-app sending a report, the city's
        // portal drawing the tiles, an IOC dashboard reading the reports — as tile and OGC API servers allow by
        // default (Martin, pg_tileserv, pygeoapi). Any origin is safe here: a key travels in a header the page itself
        // must hold, never in a cookie the browser would add on its own. Cors:Origins narrows it to a list.
        var origins = (builder.Configuration["Cors:Origins"] ?? "*").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            if (origins.Contains("*")) p.AllowAnyOrigin(); else p.WithOrigins(origins);
            p.WithMethods("GET", "HEAD", "POST", "PATCH")
             .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID", "If-None-Match")
             .WithExposedHeaders("ETag", "Location", "Retry-After", "Content-Crs", "WWW-Authenticate")
             .SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));
        builder.Services.AddHostedService<LayerVersionFollower>();
        builder.Services.AddHostedService<GlyphWarmer>();
        builder.Services.AddHostedService<TileSeeding>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseState>());

        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(Policies.Add);
        // A query value that does not bind (lon=abc) becomes a BadHttpRequestException naming the parameter, which
        // the problem below turns into a sentence (otherwise the 400 says nothing of what was wrong).
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.Exception is BadHttpRequestException && BindFailure.Match(c.Exception.Message) is { Success: true } m)
            {
                var type = m.Groups["type"].Value.Replace("Nullable<", "").TrimEnd('?', '>') switch { "int" or "long" => "a whole number", "double" => "a number", "bool" => "true or false", "Guid" => "an id", var t => t };
                // As the query string names it: a filter record's property (ReportFilter.Parcel) is ?parcel=.
                var name = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(m.Groups["name"].Value);
                c.ProblemDetails.Detail = $"{name} '{m.Groups["value"].Value}' is not {type}";
                c.ProblemDetails.Extensions["field"] = name;
            }
            // Errors the endpoints raise on purpose carry a sentence for the person: show it.
            else if (c.Exception is BadHttpRequestException or TileEndpoints.ForbiddenVariant) c.ProblemDetails.Detail = c.Exception.Message;
            // The database away (restarting, a network cut): say so and when to ask again, rather than a bare 503.
            else if (c.Exception is not null && DatabaseAway(c.Exception))
            {
                c.ProblemDetails.Detail = Problems.PrefersVietnamese(c.HttpContext.Request)
                    ? "cơ sở dữ liệu đang không trả lời; thử lại sau giây lát" : "the database is not answering; try again in a moment";
                c.HttpContext.Response.Headers.RetryAfter = "5";
            }
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new() { Title = "WardMap", Version = "1", Description = "A ward's land and infrastructure as a live digital map." };
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        // JSON, GeoJSON and CSV answers compressed for clients that accept it: a ward's intranet or a tablet's mobile
        // link carries the planner's conflict table (1.8 MB of GeoJSON on the sample ward) at a fraction of its size.
        // Tiles, glyphs and the viewer's bundles are compressed ahead of time; the report stream (SSE) is not buffered.
        builder.Services.AddResponseCompression(o =>
        {
            o.MimeTypes = ["application/json", "application/geo+json", "application/problem+json", "text/csv"];
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
        });
        // Brotli's fastest level packs GeoJSON worse than gzip (that table: 338 KB against 218 KB); its default level, 147 KB.
        builder.Services.Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        var maxUpload = builder.Configuration.GetValue("Imports:MaxUploadMegabytes", 200) * 1024L * 1024L;
        builder.Services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = maxUpload);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxUpload);
        // A request runs on the thread that read it rather than being queued to another: cached tiles ~13 % faster
        // (12 of 12 alternating rounds, docs/performance.md). That thread is a pool thread (the runtime's socket
        // completions are not inlined: that deadlocks Npgsql), so a slow endpoint holds only its own connection.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);

        var app = builder.Build();
        app.UseForwardedHeaders();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = StatusFor,
            // A client's bad request is answered (4xx) and logged as a request, not as a server failure with a stack trace.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException or TileEndpoints.ForbiddenVariant,
        });
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLog>();
        app.UseResponseCompression();
        app.UseCors();              // before keys and limits: a browser's preflight carries neither
        ViewerEndpoints.Map(app);   // static files first: they need no auth
        app.UseAuthentication();
        app.RefuseWrongKeys();
        app.UseAuthorization();
        app.UseRateLimiter();   // after authentication: an officer's key is not counted

        app.MapOpenApi("/openapi.json");
        Health.Map(app);
        Imports.Map(app);
        TileEndpoints.Map(app);
        ParcelEndpoints.Map(app);
        PlaceEndpoints.Map(app);
        OgcEndpoints.Map(app);
        PermitEndpoints.Map(app);
        ReportEndpoints.Map(app);
        PlanningEndpoints.Map(app, app.Configuration.GetValue("WARD_SRID", 9210));
        return app;
    }

    static readonly System.Text.RegularExpressions.Regex BindFailure = new("""Failed to bind parameter "(?<type>[^"]+) (?<name>\w+)" from "(?<value>[^"]*)"\.""");

    static int StatusFor(Exception e) => e switch
    {
        BadHttpRequestException b => b.StatusCode,
        TileEndpoints.ForbiddenVariant => StatusCodes.Status403Forbidden,
        _ when DatabaseAway(e) => StatusCodes.Status503ServiceUnavailable,
        OperationCanceledException => 499,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// The database cannot be reached, is starting or shutting down, out of connections or resources, or cancelled a
    /// statement that ran too long (SQLSTATE 08, 57P, 53, 57014): a 503 to retry. Any other error PostgreSQL answers
    /// about a statement is the server's own fault, a 500.
    /// </summary>
    static bool DatabaseAway(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState is "57014" || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException or TimeoutException => true,
        _ => false,
    };
}

/// <summary>
/// One structured log line a request: method, path, status, milliseconds, role. Tiles and glyphs come by
/// the thousand, so they log at Debug unless they fail.
/// </summary>
sealed class RequestLog(RequestDelegate next, ILogger<RequestLog> log)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        try { await next(ctx); }
        finally
        {
            var status = ctx.Response.StatusCode;
            var bulk = ctx.Request.Path.StartsWithSegments("/tiles") || ctx.Request.Path.StartsWithSegments("/fonts");
            var level = status >= 500 ? LogLevel.Error : bulk && status < 400 ? LogLevel.Debug : LogLevel.Information;
            if (log.IsEnabled(level))
                log.Log(level, "{Method} {Path}{Query} -> {Status} in {Ms:0.0} ms ({Role})", ctx.Request.Method, ctx.Request.Path,
                    ctx.Request.QueryString, status, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds, ctx.User.Role());
        }
    }
}

/// <summary>Makes the glyph ranges Vietnamese labels use before the first map asks for them (~0.2 s each, once).</summary>
sealed class GlyphWarmer(Glyphs glyphs) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stop) => Task.Run(() =>
    {
        foreach (var start in new[] { 0, 256, 768, 7680 })
            if (!stop.IsCancellationRequested) glyphs.Range(Styles.Font, start);
    }, stop);
}

/// <summary>Keeps the ward's overview tiles in the cache (see <see cref="TileSeeder"/>).</summary>
sealed class TileSeeding(TileSeeder seeder) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stop) => seeder.RunAsync(stop);
}

/// <summary>Keeps the tile cache's layer versions current (LISTEN/NOTIFY with a polling safety net).</summary>
sealed class LayerVersionFollower(LayerVersionWatcher watcher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stop) => watcher.RunAsync(stop);
}
