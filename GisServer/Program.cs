using System.Net.Sockets;
using WardMap.Db;
using WardMap.GisServer;
using WardMap.GisServer.Auth;
using WardMap.Importers;

// One executable, several verbs: serve (default), migrate, import, keys. ./wardmap calls these.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
var connection = WardDatabase.ConfiguredConnectionString(TakeOption(ref rest, "--connection"));

try
{
    switch (verb)
    {
        case "serve":
            var app = Server.Build(rest, connection);
            await app.RunAsync();
            return 0;
        case "migrate":
        {
            await using var db = WardDatabase.Open(connection);
            var applied = await Migrator.MigrateAsync(db);
            Console.Error.WriteLine(applied.Count == 0 ? "wardmap: schema is up to date" : $"wardmap: applied {string.Join(", ", applied)}");
            return 0;
        }
        case "import":
        {
            await using var db = WardDatabase.Open(connection);
            return await ImportCommand.RunAsync(db, rest, Console.Out);
        }
        case "keys":
        {
            await using var db = WardDatabase.Open(connection);
            return await KeysCommand.RunAsync(db, rest, Console.Out);
        }
        default:
            Console.Error.WriteLine($"wardmap: unknown verb '{verb}' (serve, migrate, import, keys)");
            return 2;
    }
}
catch (Npgsql.PostgresException e) when (verb != "serve")
{
    Console.Error.WriteLine($"wardmap: the database refused a statement: {e.MessageText} ({e.SqlState}){(e.Detail is null ? "" : ": " + e.Detail)}");
    return 1;
}
catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException && verb != "serve")
{
    Console.Error.WriteLine("wardmap: " + WardDatabase.Explain(e, connection));
    return 1;
}
catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"wardmap: the HTTP address is already in use ({e.Message.Split('\n')[0]}); stop the other program or pass --urls http://127.0.0.1:PORT.");
    return 1;
}

static string? TakeOption(ref string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    if (i < 0 || i + 1 >= args.Length) return null;
    var value = args[i + 1];
    args = [.. args[..i], .. args[(i + 2)..]];
    return value;
}
