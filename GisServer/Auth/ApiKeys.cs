using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace WardMap.GisServer.Auth;

/// <summary>Roles, most to least privileged. No key means <see cref="Public"/>.</summary>
public static class Roles
{
    public const string Admin = "admin", Officer = "officer", Planner = "planner", Public = "public";
    public static readonly string[] Keyed = [Officer, Planner, Admin];
}

public sealed record ApiKey(long Id, string Name, string Role, string Prefix);

/// <summary>
/// API keys: a random secret shown once; only its SHA-256 is stored, with a short prefix to name it.
/// </summary>
public static class ApiKeys
{
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static async Task<(string Key, ApiKey Record)> CreateAsync(NpgsqlDataSource db, string role, string name, CancellationToken ct = default)
    {
        if (!Roles.Keyed.Contains(role)) throw new ArgumentException($"unknown role '{role}': use officer, planner or admin");
        var key = "wm_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_');
        var prefix = key[..11];
        await using var cmd = db.CreateCommand("INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING id");
        cmd.Parameters.AddWithValue(name);
        cmd.Parameters.AddWithValue(role);
        cmd.Parameters.AddWithValue(prefix);
        cmd.Parameters.AddWithValue(Hash(key));
        var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        return (key, new ApiKey(id, name, role, prefix));
    }

    public static async Task<ApiKey?> FindAsync(NpgsqlDataSource db, string key, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT id, name, role, prefix FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(Hash(key));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new ApiKey(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)) : null;
    }

    public static async Task<List<(ApiKey Key, DateTime Created, DateTime? Revoked)>> ListAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT id, name, role, prefix, created_at, revoked_at FROM api_keys ORDER BY id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<(ApiKey, DateTime, DateTime?)>();
        while (await r.ReadAsync(ct))
            list.Add((new ApiKey(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), r.GetDateTime(4), r.IsDBNull(5) ? null : r.GetDateTime(5)));
        return list;
    }

    public static async Task<bool> RevokeAsync(NpgsqlDataSource db, string prefix, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("UPDATE api_keys SET revoked_at = now() WHERE prefix = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(prefix);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }
}
