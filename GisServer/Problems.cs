using Microsoft.AspNetCore.Mvc;

namespace WardMap.GisServer;

/// <summary>RFC 9457 problem+json answers with a sentence a person can act on.</summary>
public static class Problems
{
    public static IResult Result(int status, string title, string detail, object? extensions = null)
    {
        var p = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        if (extensions is not null)
            foreach (var prop in extensions.GetType().GetProperties()) p.Extensions[prop.Name] = prop.GetValue(extensions);
        return Results.Problem(p);
    }

    public static IResult BadRequest(string detail, string? field = null) =>
        Result(400, "Bad request", detail, field is null ? null : new { field });
    public static IResult NotFound(string detail) => Result(404, "Not found", detail);

    public static Task Write(HttpContext ctx, int status, string title, string detail)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}", Instance = ctx.Request.Path },
            options: null, contentType: "application/problem+json");
    }
}
