using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace WardMap.GisServer.Reports;

/// <summary>
/// How many reports one client address may send in an hour without a key (Reports:PerClientPerHour; 0: no limit).
/// Residents send a few; a script flooding the IOC's list is answered 429 with when to try again. Mobile carriers
/// put many phones behind one address (CGNAT), so the default leaves room for a street reporting one flood at once.
/// Signed-in officers are not counted. Behind a reverse proxy the address is the one it forwards (X-Forwarded-For,
/// from loopback or Proxies:Trusted).
/// </summary>
public static class SubmissionLimit
{
    public const string Policy = "report-submissions";
    public const int DefaultPerHour = 60;
    static readonly Said Title = new("Too many reports", "Gửi quá nhiều phản ánh");

    public static void Add(IServiceCollection services, int perHour) => services.AddRateLimiter(o =>
    {
        o.AddPolicy(Policy, ctx => perHour <= 0 || ctx.User.Identity?.IsAuthenticated == true
            ? RateLimitPartition.GetNoLimiter("not counted")
            : RateLimitPartition.GetSlidingWindowLimiter($"address {ctx.Connection.RemoteIpAddress}", _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = perHour, Window = TimeSpan.FromHours(1), SegmentsPerWindow = 6, QueueLimit = 0,
            }));
        o.OnRejected = (rejected, _) =>
        {
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(10);
            var minutes = (int)Math.Ceiling(wait.TotalMinutes);
            rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new ValueTask(Problems.Result(StatusCodes.Status429TooManyRequests, Title,
                new($"this address has sent {perHour} reports within the hour; send again in {minutes} min (an officer's key is not limited)",
                    $"địa chỉ này đã gửi {perHour} phản ánh trong một giờ; hãy gửi lại sau {minutes} phút"))
                .ExecuteAsync(rejected.HttpContext));
        };
    });
}
