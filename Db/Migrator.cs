using System.Reflection;
using Npgsql;

namespace WardMap.Db;

/// <summary>
/// Applies the versioned SQL files in Migrations/ (embedded) in order, each once, each in its own
/// transaction. The schema has this one owner; the server and the CLI call it at start.
/// </summary>
public static class Migrator
{
    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> All { get; } = Load();

    static IReadOnlyList<Migration> Load()
    {
        var asm = typeof(Migrator).Assembly;
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations.") && n.EndsWith(".sql"))
            .Select(n =>
            {
                var name = n["Migrations.".Length..^".sql".Length];
                using var reader = new StreamReader(asm.GetManifestResourceStream(n)!);
                return new Migration(int.Parse(name[..name.IndexOf('_')]), name, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <summary>Brings the database up to date; returns the names of the migrations it applied.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // One migrator at a time (the server and a CLI import may start together).
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(727001)", conn))
            await lockCmd.ExecuteNonQueryAsync(ct);
        try
        {
            await using (var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", conn))
                await create.ExecuteNonQueryAsync(ct);

            var applied = new HashSet<int>();
            await using (var q = new NpgsqlCommand("SELECT version FROM schema_migrations", conn))
            await using (var r = await q.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) applied.Add(r.GetInt32(0));

            var done = new List<string>();
            foreach (var m in All.Where(m => !applied.Contains(m.Version)))
            {
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var run = new NpgsqlCommand(m.Sql, conn, tx)) await run.ExecuteNonQueryAsync(ct);
                await using (var mark = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", conn, tx))
                {
                    mark.Parameters.AddWithValue(m.Version);
                    mark.Parameters.AddWithValue(m.Name);
                    await mark.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                done.Add(m.Name);
            }
            if (done.Count > 0) await conn.ReloadTypesAsync(ct); // geometry types exist only after the first run
            return done;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(727001)", conn);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
