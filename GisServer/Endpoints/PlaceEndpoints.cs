using Npgsql;
using WardMap.GisServer.Queries;

namespace WardMap.GisServer.Endpoints;

/// <summary>Roads, residential groups and assets found by name: where the search box goes when the text is a street, not a parcel.</summary>
public static class PlaceEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/places", async (string? q, int? limit, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (q is null || q.Trim().Length < 2) return Problems.BadRequest(new("give at least 2 characters of the name (q)", "gõ ít nhất 2 ký tự của tên (q)"), "q");
            if (Problems.BadLimit(limit, 50) is { } badLimit) return badLimit;
            var take = Math.Min(limit ?? 10, 50);
            var json = await Sql.JsonAsync(db, PlaceQueries.ByName, ct, ("q", TextSearch.Pattern(q)), ("plain", TextSearch.Plain(q)),
                ("limit", take), ("assets", Math.Min(take, 5)));
            return Sql.GeoJson(json!);
        }).WithTags("places")
          .WithSummary("Roads (each street's segments as one feature), residential groups and assets whose name (or code) contains q; accent-free text matches with or without diacritics.");
    }
}
