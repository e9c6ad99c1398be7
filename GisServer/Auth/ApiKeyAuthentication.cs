using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WardMap.GisServer.Auth;

/// <summary>
/// `Authorization: Bearer &lt;key&gt;` -> a principal with the key's role; no header -> anonymous (public);
/// a wrong or revoked key -> 401. Lookups are cached briefly so a tile burst costs one query.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, NpgsqlDataSource db) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    static readonly ConcurrentDictionary<string, (ApiKey? Key, DateTime Until)> Cache = new();
    static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    static readonly Said NoKey = new("this needs an API key: send 'Authorization: Bearer <key>' (create one with ./wardmap keys create --role ROLE)",
            "việc này cần đăng nhập bằng khóa API (Authorization: Bearer <khóa>; quản trị viên tạo khóa bằng ./wardmap keys create --role VAI_TRÒ)"),
        NotBearer = new("use 'Authorization: Bearer <key>'", "gửi khóa theo dạng 'Authorization: Bearer <khóa>'"),
        UnknownKey = new("the API key is unknown or revoked", "khóa API không đúng hoặc đã bị thu hồi");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail(new KeyRefused(NotBearer));
        var key = header["Bearer ".Length..].Trim();
        var hash = ApiKeys.Hash(key);
        if (!Cache.TryGetValue(hash, out var hit) || hit.Until < DateTime.UtcNow)
        {
            hit = (await ApiKeys.FindAsync(db, key, Context.RequestAborted), DateTime.UtcNow + CacheFor);
            Cache[hash] = hit;
        }
        if (hit.Key is not { } found) return AuthenticateResult.Fail(new KeyRefused(UnknownKey));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, $"{found.Name} ({found.Prefix})"), new Claim(ClaimTypes.Role, found.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Said why = (await HandleAuthenticateOnceSafeAsync()).Failure switch { KeyRefused r => r.Why, null => NoKey, var e => e.Message };
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Write(Context, StatusCodes.Status401Unauthorized, new("Sign-in needed", "Cần đăng nhập"), why);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, Problems.ForbiddenTitle,
            new($"your key's role ({Context.User.Role()}) may not do this", $"khóa này có vai trò {Context.User.Role()}, không được làm việc này"));

    /// <summary>Why a key that was sent is refused, said for the person signing in.</summary>
    sealed class KeyRefused(Said why) : Exception(why.En)
    {
        public Said Why { get; } = why;
    }

    /// <summary>Forget cached lookups (after a key is revoked).</summary>
    public static void ClearCache() => Cache.Clear();
}

public static class WrongKeys
{
    /// <summary>
    /// A key that was sent but is wrong or revoked is a 401 everywhere, on public endpoints too: a client that
    /// believes it is signed in must hear that it is not (the viewer's sign-in asks /api/me), not be served as the
    /// public. After UseAuthentication (its result is reused, no second lookup), before UseAuthorization.
    /// </summary>
    public static void RefuseWrongKeys(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (ctx.Request.Headers.Authorization.Count > 0 && (await ctx.AuthenticateAsync(ApiKeyAuthentication.SchemeName)).Failure is not null)
            await ctx.ChallengeAsync(ApiKeyAuthentication.SchemeName);
        else await next();
    });
}

public static class Policies
{
    public const string Officer = "officer", Planner = "planner", OfficerOrPlanner = "officer-or-planner", Admin = "admin";

    /// <summary>The one place that says which role may do what.</summary>
    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationOptions o)
    {
        o.AddPolicy(Officer, p => p.RequireRole(Roles.Officer, Roles.Admin));
        o.AddPolicy(Planner, p => p.RequireRole(Roles.Planner, Roles.Admin));
        o.AddPolicy(OfficerOrPlanner, p => p.RequireRole(Roles.Officer, Roles.Planner, Roles.Admin));
        o.AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
    }

    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? Roles.Public;
    public static string Who(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";
    /// <summary>May this caller see personal data (owners' names, IDs)?</summary>
    public static bool SeesPersonalData(this ClaimsPrincipal user) => user.Role() is Roles.Officer or Roles.Admin;
}
