using Npgsql;

namespace WardMap.GisServer.Queries;

/// <summary>Runs a statement with named parameters and hands back the JSON text PostGIS built.</summary>
public static class Sql
{
    public static async Task<string?> JsonAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params (string Name, object? Value)[] args) =>
        await ScalarAsync(db, sql, ct, args) as string;

    /// <summary>Whether a statement such as <c>SELECT EXISTS (…)</c> answers true.</summary>
    public static async Task<bool> TrueAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params (string Name, object? Value)[] args) =>
        await ScalarAsync(db, sql, ct, args) is true;

    static async Task<object?> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken ct, (string Name, object? Value)[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return await cmd.ExecuteScalarAsync(ct);
    }

    public static IResult GeoJson(string json) => Results.Text(json, "application/geo+json");
    /// <summary>An answer built from PostGIS's JSON and added to (JsonNode), written as the server writes JSON: Vietnamese as it is.</summary>
    public static IResult GeoJson(System.Text.Json.Nodes.JsonNode answer) => GeoJson(answer.ToJsonString(Written));
    public static IResult Json(System.Text.Json.Nodes.JsonNode answer) => Json(answer.ToJsonString(Written));
    public static readonly System.Text.Json.JsonSerializerOptions Written = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static IResult Json(string json) => Results.Text(json, "application/json");
}
