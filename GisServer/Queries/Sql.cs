using Npgsql;

namespace WardMap.GisServer.Queries;

/// <summary>Runs a statement with named parameters and hands back the JSON text PostGIS built.</summary>
public static class Sql
{
    public static async Task<string?> JsonAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public static IResult GeoJson(string json) => Results.Text(json, "application/geo+json");
    public static IResult Json(string json) => Results.Text(json, "application/json");
}
