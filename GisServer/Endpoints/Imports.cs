using Npgsql;
using WardMap.GisServer.Auth;
using WardMap.Importers;
using WardMap.Importers.Layers;

namespace WardMap.GisServer.Endpoints;

/// <summary>
/// Admin upload: `POST /api/imports` (multipart: layer, file(s) — a shapefile's parts, several data files of one
/// layer, or a .zip of them — and the CLI's options as fields). Same importer, same report as `./wardmap import`.
/// </summary>
public static class Imports
{
    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("/api/imports").WithTags("imports").RequireAuthorization(Policies.Admin);
        group.MapPost("", Upload).DisableAntiforgery()
            .WithSummary("Import an uploaded file into a layer (admin). Fields: layer, file(s), srs, encoding, upsert, force, dry_run, population.");
        group.MapGet("", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            var json = await Queries.Sql.JsonAsync(db, """
                SELECT COALESCE(json_agg(json_build_object(
                         'id', id, 'layer', layer, 'file', file, 'status', status, 'rows_read', rows_read, 'rows_loaded', rows_loaded,
                         'rows_rejected', rows_rejected, 'started_at', started_at, 'finished_at', finished_at,
                         'changes', (report -> 'changes') - 'rows') ORDER BY id DESC), '[]')::text
                FROM (SELECT * FROM import_runs ORDER BY id DESC LIMIT 100) r
                """, ct);
            return Queries.Sql.Json(json!);
        }).WithSummary("The last 100 import runs (admin), with what each changed (added, changed, removed).");
        group.MapGet("/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            // The run's whole report as it was stored (rows rejected, repaired and flagged, each with its file, row
            // and field; an upload's files named as sent, a command line's by their path).
            await using var cmd = db.CreateCommand("""
                SELECT (report || jsonb_build_object('run_id', id, 'status', status, 'who', who, 'started_at', started_at, 'finished_at', finished_at))::text
                FROM import_runs WHERE id = $1
                """);
            cmd.Parameters.AddWithValue(id);
            return await cmd.ExecuteScalarAsync(ct) is string json
                ? Results.Text(json, "application/json")
                : NoRun(id);
        }).WithSummary("One import run's report (admin): what was loaded, and every row rejected, repaired or flagged, with its file, row and field.");
        group.MapGet("/{id:long}/changes.csv", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            // Every row the run changed (biến động), for the land office's monthly account: by key, what happened, the
            // fields, and their values before and after written "field=value; …" so a spreadsheet shows them as text.
            await using var cmd = db.CreateCommand("""
                SELECT c.natural_key, c.change, array_to_string(c.fields, '; '),
                       (SELECT string_agg(f.key || '=' || COALESCE(f.value #>> '{}', ''), '; ' ORDER BY f.key) FROM jsonb_each(c.before) f),
                       (SELECT string_agg(f.key || '=' || COALESCE(f.value #>> '{}', ''), '; ' ORDER BY f.key) FROM jsonb_each(c.after) f)
                FROM layer_changes c WHERE c.run_id = $1 ORDER BY c.change, c.natural_key
                """);
            cmd.Parameters.AddWithValue(id);
            var rows = new List<IReadOnlyList<object?>>();
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) rows.Add([r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)]);
            if (rows.Count == 0 && !await Queries.Sql.TrueAsync(db, "SELECT EXISTS (SELECT 1 FROM import_runs WHERE id = @id)", ct, ("id", id))) return NoRun(id);
            return Results.File(Queries.CsvFile.Bytes(["key", "change", "fields", "before", "after"], rows), "text/csv; charset=utf-8", $"bien-dong-lan-nhap-{id}.csv");
        }).WithSummary("Every row one import run changed, as CSV (admin): key, added/changed/removed, the fields, their values before and after.");
    }

    static async Task<IResult> Upload(HttpRequest request, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!request.HasFormContentType)
            return Problems.BadRequest(new("send multipart/form-data with a 'layer' field and the file(s)", "hãy gửi multipart/form-data gồm trường 'layer' và (các) tệp"));
        var form = await request.ReadFormAsync(ct);
        var layer = form["layer"].ToString();
        if (!LayerCatalog.All.Any(l => l.Name == layer))
        {
            var names = string.Join(", ", LayerCatalog.All.Select(l => l.Name));
            return Problems.BadRequest(new($"'layer' must be one of {names}", $"'layer' phải là một trong {names}"), "layer");
        }
        var files = form.Files.Where(f => f.Name is "file" or "files" or "population").ToList();
        if (files.Count(f => f.Name != "population") == 0) return Problems.BadRequest(Uploads.NoFile, "file");

        var dir = Directory.CreateTempSubdirectory("wardmap-upload-");
        try
        {
            // Every data file of the upload goes into the one import, in the order sent (sheets of a ward delivered
            // as several files, as `wardmap import parcels a.shp b.gpkg`): importing only the first would let a
            // replace drop the others' rows. A zip's files take its place in that order.
            var (data, refused) = await Uploads.SaveAsync(files.Where(f => f.Name != "population"), dir.FullName, ct);
            if (refused is not null) return refused;
            string? population = null;
            if (files.FirstOrDefault(f => f.Name == "population") is { } p)
            {
                (population, refused) = await Uploads.SaveOneAsync(p, dir.FullName, ct);
                if (refused is not null) return refused;
            }
            if (data.Count == 0)
                return Problems.BadRequest(new("the upload holds no .shp, .gpkg, .geojson or .csv", "trong các tệp gửi lên không có .shp, .gpkg, .geojson hay .csv nào"), "file");

            var importRequest = new ImportRequest(layer, data[0])
            {
                MoreFiles = data.Skip(1).ToList(), Uploaded = true,
                Srs = NullIfEmpty(form["srs"]), Encoding = NullIfEmpty(form["encoding"]), SourceLayer = NullIfEmpty(form["source_layer"]),
                PopulationCsv = population, Upsert = IsTrue(form["upsert"]), Force = IsTrue(form["force"]), DryRun = IsTrue(form["dry_run"]),
                Who = request.HttpContext.User.Who(),
            };
            try
            {
                var report = await new Importer(db).RunAsync(importRequest, null, ct);
                return Results.Text(report.ToJson(), "application/json", statusCode: report.Status == "skipped" ? 200 : 201);
            }
            catch (ImportException e)
            {
                return Problems.Result(422, new("Import refused", "Không nhập được"),
                    e.Describe().Then("; the layer keeps its previous data", "; lớp dữ liệu vẫn giữ nguyên như cũ"),
                    new { file = Path.GetFileName(e.File), row = e.Row, field = e.Field });
            }
        }
        finally { dir.Delete(true); }
    }

    static IResult NoRun(long id) => Problems.NotFound(new($"no import run {id}", $"không có lần nhập {id}"));

    static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
    static bool IsTrue(string? s) => s is "true" or "1" or "on" or "yes";
}
