using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace WardMap.GisServer;

/// <summary>
/// RFC 9457 problem+json answers with a sentence a person can act on, in Vietnamese when the request prefers it
/// (<c>Accept-Language: vi</c>, as the viewer sends; RFC 9110 §12.5.4) and the sentence has a Vietnamese text.
/// </summary>
public static class Problems
{
    public static readonly Said BadRequestTitle = new("Bad request", "Yêu cầu chưa đúng");
    static readonly Said NotFoundTitle = new("Not found", "Không tìm thấy");
    public static readonly Said ForbiddenTitle = new("Not allowed for this role", "Vai trò này không được phép");

    public static IResult Result(int status, Said title, Said detail, object? extensions = null) => new Answer(status, title, detail, extensions);

    public static IResult BadRequest(Said detail, string? field = null) =>
        Result(400, BadRequestTitle, detail, field is null ? null : new { field });
    public static IResult NotFound(Said detail) => Result(404, NotFoundTitle, detail);

    /// <summary>
    /// A page size below 1 is a mistake; one above the endpoint's most is answered with the most, and the answer
    /// says which limit it used (as OGC API Features does for its limit).
    /// </summary>
    public static IResult? BadLimit(int? limit, int most) => limit < 1
        ? BadRequest(new($"limit is how many to return: 1 to {most}", $"limit là số kết quả trả về: từ 1 đến {most}"), "limit")
        : null;

    public static Task Write(HttpContext ctx, int status, Said title, Said detail)
    {
        ctx.Response.StatusCode = status;
        var problem = Build(ctx, status, title, detail);
        problem.Instance = ctx.Request.Path;
        return ctx.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }

    /// <summary>The request's most wanted language (highest q, the first of equals) is Vietnamese.</summary>
    public static bool PrefersVietnamese(HttpRequest request) => Prefers(request, "vi");

    /// <summary>Whether the request's most preferred language (Accept-Language) is this one ("vi" matches vi and vi-VN).</summary>
    public static bool Prefers(HttpRequest request, string language)
    {
        var best = request.GetTypedHeaders().AcceptLanguage
            .Where(l => (l.Quality ?? 1) > 0).OrderByDescending(l => l.Quality ?? 1).FirstOrDefault();   // a stable sort keeps header order
        var tag = best?.Value.Value ?? "";
        return tag.Equals(language, StringComparison.OrdinalIgnoreCase) || tag.StartsWith(language + "-", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The problem in the language the request prefers, saying which (Content-Language) and that it may differ (Vary).</summary>
    static ProblemDetails Build(HttpContext ctx, int status, Said title, Said detail)
    {
        var vi = detail.Vi is not null && PrefersVietnamese(ctx.Request);
        if (detail.Vi is not null) ctx.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
        if (vi) ctx.Response.Headers.ContentLanguage = "vi";
        return new ProblemDetails
        {
            Status = status, Type = $"https://httpstatuses.io/{status}",
            Title = vi ? title.Vi ?? title.En : title.En,
            Detail = vi ? detail.Vi : detail.En,
        };
    }

    /// <summary>
    /// The language is chosen when the answer is written, where the request is at hand. Its sentences are open to an
    /// endpoint filter that writes the problem another way (the open-data pages: as a page for a browser).
    /// </summary>
    public sealed class Answer(int status, Said title, Said detail, object? extensions) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;
        public Said Title => title;
        public Said Detail => detail;

        public Task ExecuteAsync(HttpContext ctx)
        {
            var problem = Build(ctx, status, title, detail);
            if (extensions is not null)
                foreach (var prop in extensions.GetType().GetProperties()) problem.Extensions[prop.Name] = prop.GetValue(extensions);
            return Results.Problem(problem).ExecuteAsync(ctx);
        }
    }
}
