using Npgsql;
using WardMap.Db;

namespace WardMap.GisServer.Auth;

/// <summary>`wardmap keys create --role R [--name N]`, `keys list`, `keys revoke PREFIX`.</summary>
public static class KeysCommand
{
    const string Usage = "usage: wardmap keys create --role officer|planner|admin [--name NAME] | keys list | keys revoke PREFIX";

    public static async Task<int> RunAsync(NpgsqlDataSource db, string[] args, TextWriter output)
    {
        switch (args.FirstOrDefault())
        {
            case "create":
            {
                string? role = null, name = null;
                for (int i = 1; i < args.Length; i++)
                {
                    if (args[i] == "--role" && i + 1 < args.Length) role = args[++i];
                    else if (args[i] == "--name" && i + 1 < args.Length) name = args[++i];
                    else { await output.WriteLineAsync($"wardmap keys: unknown argument '{args[i]}'\n{Usage}"); return 2; }
                }
                if (role is null || !Roles.Keyed.Contains(role))
                {
                    await output.WriteLineAsync($"wardmap keys: --role must be officer, planner or admin\n{Usage}");
                    return 2;
                }
                var (key, record) = await ApiKeys.CreateAsync(db, role, name ?? $"{role} key");
                await Audit.WriteAsync(db, Environment.UserName, "admin", "key.create", record.Prefix, new { role, name = record.Name });
                await output.WriteLineAsync(key);
                Console.Error.WriteLine($"wardmap: created {role} key '{record.Name}' ({record.Prefix}…). It is shown only now; store it safely. " +
                                        "Send it as 'Authorization: Bearer <key>'.");
                return 0;
            }
            case "list":
                foreach (var (k, created, revoked) in await ApiKeys.ListAsync(db))
                    await output.WriteLineAsync($"{k.Prefix}…  {k.Role,-8} {k.Name}  created {created:yyyy-MM-dd HH:mm}{(revoked is null ? "" : $"  REVOKED {revoked:yyyy-MM-dd}")}");
                return 0;
            case "revoke" when args.Length == 2:
                var ok = await ApiKeys.RevokeAsync(db, args[1]);
                if (ok) await Audit.WriteAsync(db, Environment.UserName, "admin", "key.revoke", args[1]);
                await output.WriteLineAsync(ok ? $"revoked {args[1]}" : $"no active key with prefix {args[1]}");
                return ok ? 0 : 1;
            default:
                await output.WriteLineAsync(Usage);
                return 2;
        }
    }
}
