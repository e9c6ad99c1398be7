using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace WardMap.Db;

/// <summary>The audit log: every read of personal data, every import and every admin action.</summary>
public static class Audit
{
    public static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string who, string role,
        string action, string? target, object? detail = null, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO audit_log (who, role, action, target, detail) VALUES ($1, $2, $3, $4, $5)", conn, tx);
        cmd.Parameters.AddWithValue(who);
        cmd.Parameters.AddWithValue(role);
        cmd.Parameters.AddWithValue(action);
        cmd.Parameters.AddWithValue((object?)target ?? DBNull.Value);
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(detail ?? new { }), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task WriteAsync(NpgsqlDataSource db, string who, string role, string action, string? target,
        object? detail = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await WriteAsync(conn, null, who, role, action, target, detail, ct);
    }
}
