using Npgsql;
using Spectre.Console;
using WardMap.Importers.Layers;

namespace WardMap.Importers;

/// <summary>
/// `wardmap import &lt;layer&gt; &lt;file&gt; [options]`: runs an import, shows progress, prints the report and
/// writes it as JSON. Exit codes: 0 loaded or skipped, 1 refused (the message names file, row and field).
/// </summary>
public static class ImportCommand
{
    public const string Usage = """
        usage: wardmap import <layer> <file> [<file> ...] [--srs EPSG:NNNN] [--mapping m.json]
                              [--encoding utf-8|tcvn3|vni|cp1258] [--layer TABLE] [--population groups.csv] [--upsert] [--force] [--dry-run]
                              [--report out.json] [--quiet]
        """;

    public static async Task<int> RunAsync(NpgsqlDataSource db, string[] args, TextWriter output, CancellationToken ct = default)
    {
        ImportRequest request;
        string? reportPath;
        bool quiet;
        try { (request, reportPath, quiet) = Parse(args); }
        catch (ArgumentException e)
        {
            await output.WriteLineAsync($"wardmap import: {e.Message}\n{Usage}\nlayers: " +
                string.Join("; ", LayerCatalog.All.Select(l => $"{l.Name} ({l.Description})")));
            return 2;
        }

        var importer = new Importer(db);
        ImportReport report;
        try
        {
            if (quiet || Console.IsOutputRedirected)
                report = await importer.RunAsync(request, null, ct);
            else
            {
                ImportReport? result = null;
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask($"{request.Layer} <- {string.Join(" + ", request.Files.Select(Path.GetFileName))}", maxValue: 1);
                        var progress = new Progress<ImportProgress>(p =>
                        {
                            if (p.Total is > 0) { task.MaxValue = p.Total.Value; task.Value = p.Rows; }
                            task.Description = $"{request.Layer} <- {string.Join(" + ", request.Files.Select(Path.GetFileName))}  {p.Rows:N0} rows, {p.RowsPerSecond:N0} rows/s";
                        });
                        result = await importer.RunAsync(request, progress, ct);
                        task.Value = task.MaxValue;
                    });
                report = result!;
            }
        }
        catch (ImportException e)
        {
            await output.WriteLineAsync($"wardmap import: {e.Describe()}");
            await output.WriteLineAsync("nothing was changed: the layer keeps its previous data.");
            return 1;
        }

        var path = reportPath ?? DefaultReportPath(report);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, report.ToJson(), ct);
        if (!quiet || report.RowsRejected > 0)
            await output.WriteLineAsync(report.Summary());
        if (!quiet) await output.WriteLineAsync($"  report: {path}");
        return 0;
    }

    static string DefaultReportPath(ImportReport r)
    {
        var home = Environment.GetEnvironmentVariable("WARDMAP_HOME") ?? Path.Combine(Directory.GetCurrentDirectory(), ".wardmap");
        return Path.Combine(home, "import-reports", $"{r.RunId:00000}-{r.Layer}-{r.Status}.json");
    }

    public static (ImportRequest Request, string? ReportPath, bool Quiet) Parse(string[] args)
    {
        var positional = new List<string>();
        string? srs = null, mapping = null, encoding = null, layer = null, population = null, report = null;
        bool dry = false, upsert = false, force = false, quiet = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--srs": srs = Value(); break;
                case "--mapping": mapping = Value(); break;
                case "--encoding": encoding = Value(); Text.VietnameseText.ParseKind(encoding); break;
                case "--layer": layer = Value(); break;
                case "--population": population = Value(); break;
                case "--report": report = Value(); break;
                case "--dry-run": dry = true; break;
                case "--upsert": upsert = true; break;
                case "--force": force = true; break;
                case "--quiet" or "-q": quiet = true; break;
                case var a when a.StartsWith("--"): throw new ArgumentException($"unknown option {a}");
                default: positional.Add(args[i]); break;
            }
        }
        if (positional.Count < 2) throw new ArgumentException("expected a layer and a file (or several: one layer in one file per zone)");
        LayerCatalog.Get(positional[0]);
        return (new ImportRequest(positional[0], positional[1])
        {
            MoreFiles = positional.Skip(2).ToList(),
            Srs = srs, MappingFile = mapping, Encoding = encoding, SourceLayer = layer, PopulationCsv = population,
            DryRun = dry, Upsert = upsert, Force = force,
            MeasureSrid = int.TryParse(Environment.GetEnvironmentVariable("WARDMAP_WARD_SRID"), out var s) ? s : 9210,
        }, report, quiet);
    }
}
