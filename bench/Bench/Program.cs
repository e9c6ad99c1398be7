using WardMap.Bench;
using WardMap.Db;

// ./wardmap bench [import|tiles|queries|reports]: each prints its figures and the ratio to the anchor it names.
var which = args.FirstOrDefault() ?? "all";
var connection = WardDatabase.ConfiguredConnectionString();
var root = Environment.GetEnvironmentVariable("WARDMAP_ROOT") ?? Directory.GetCurrentDirectory();
var outDir = Path.Combine(root, "bench", "out");
Directory.CreateDirectory(outDir);

var benches = new Dictionary<string, Func<Task<int>>>
{
    ["import"] = () => ImportBench.RunAsync(connection, outDir, root),
    ["tiles"] = () => TileBench.RunAsync(connection, outDir, root),
    ["queries"] = () => QueryBench.RunAsync(connection, outDir, root),
    ["reports"] = () => ReportBench.RunAsync(connection, outDir, root),
};
if (which == "all")
{
    foreach (var b in benches.Values) if (await b() != 0) return 1;
    return 0;
}
if (!benches.TryGetValue(which, out var run))
{
    Console.Error.WriteLine($"wardmap bench: unknown bench '{which}' (available: {string.Join(", ", benches.Keys)})");
    return 2;
}
return await run();
