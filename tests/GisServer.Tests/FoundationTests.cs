using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.IO.Compression;
using System.Net.Sockets;
using Npgsql;
using WardMap.GisServer.Auth;

namespace WardMap.GisServer.Tests;

public sealed class FoundationTests : IAsyncLifetime
{
    RunningServer _server = null!;
    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Healthz_answers_200_with_the_PostgreSQL_and_PostGIS_versions()
    {
        var json = await _server.Client().GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Matches(@"^\d+\.\d+", json.GetProperty("postgresql").GetString());
        Assert.Matches(@"^3\.", json.GetProperty("postgis").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints()
    {
        var json = await _server.Client().GetFromJsonAsync<JsonElement>("/openapi.json");
        Assert.StartsWith("3.", json.GetProperty("openapi").GetString());
        var paths = json.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/healthz", out _));
        Assert.True(paths.TryGetProperty("/api/imports", out _));
        // The OGC items' query parameters, read by hand from the query string, are named for client generators.
        var items = paths.GetProperty("/ogc/collections/{id}/items").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "bbox", "bbox-crs", "limit", "offset", "datetime", "crs", "f" }, items);
    }

    [Fact]
    public async Task Pages_on_other_origins_may_read_and_send_as_tile_and_OGC_API_servers_allow()
    {
        using var http = _server.Client();
        HttpRequestMessage Preflight(string path, string method, string headers, string origin = "https://mini-app.example.vn")
        {
            var req = new HttpRequestMessage(HttpMethod.Options, path);
            req.Headers.Add("Origin", origin);
            req.Headers.Add("Access-Control-Request-Method", method);
            req.Headers.Add("Access-Control-Request-Headers", headers);
            return req;
        }
        // The residents' mini-app sends a report (JSON, with its retry key): the browser's preflight is answered
        // before keys and limits, and says so.
        var preflight = await http.SendAsync(Preflight("/api/reports", "POST", "content-type,idempotency-key"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("*", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("Idempotency-Key", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        // An officer's tool elsewhere moves a report with its key.
        var officer = await http.SendAsync(Preflight("/api/reports/00000000-0000-0000-0000-000000000000", "PATCH", "authorization,content-type"));
        Assert.Contains("Authorization", officer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        // A portal reads the open data and sees the ETag and the CRS.
        var read = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections?f=json");
        read.Headers.Add("Origin", "https://portal.example.vn");
        var answer = await http.SendAsync(read);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("ETag", answer.Headers.GetValues("Access-Control-Expose-Headers").Single());

        // Cors:Origins narrows it: a listed origin is answered by name, another gets no permission.
        var narrowed = await RunningServer.StartAsync(database: _server.Db, settings: "--Cors:Origins=https://ioc.example.vn");
        try
        {
            using var client = narrowed.Client();
            var listed = await client.SendAsync(Preflight("/api/reports", "POST", "content-type", "https://ioc.example.vn"));
            Assert.Equal("https://ioc.example.vn", listed.Headers.GetValues("Access-Control-Allow-Origin").Single());
            var other = await client.SendAsync(Preflight("/api/reports", "POST", "content-type", "https://elsewhere.example"));
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        }
        finally { await narrowed.App.StopAsync(); await narrowed.App.DisposeAsync(); }
    }

    [Fact]
    public async Task An_unknown_path_is_a_problem_json_404()
    {
        var r = await _server.Client().GetAsync("/no/such/thing");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/parcels/at?lon=abc&lat=1", "lon 'abc' is not a number", "lon")]
    [InlineData("/api/parcels?sheet=x", "sheet 'x' is not a whole number", "sheet")]
    [InlineData("/api/reports?limit=zz", "limit 'zz' is not a whole number", "limit")]
    [InlineData("/tiles/parcels/15/0/0.mvt?variant=zz", "variant 'zz' is not public or officer", null)]
    public async Task A_query_value_of_the_wrong_kind_is_a_400_saying_which_and_no_server_error_in_the_log(string path, string detail, string? field)
    {
        var log = new ErrorLog();
        _server.App.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().AddProvider(log);
        var r = await _server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var problem = await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Empty(log.Errors);   // the client's mistake, not the server's: no "unhandled exception" with a stack trace
    }

    /// <summary>Errors logged while a test runs.</summary>
    sealed class ErrorLog : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string category) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel level) => level >= Microsoft.Extensions.Logging.LogLevel.Error;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel level, Microsoft.Extensions.Logging.EventId id, TState state, Exception? e, Func<TState, Exception?, string> format)
        {
            if (IsEnabled(level)) Errors.Enqueue(format(state, e));
        }
        public void Dispose() { }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("officer", HttpStatusCode.Forbidden)]
    [InlineData("planner", HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.OK)]
    public async Task Only_an_admin_reads_the_import_runs(string? role, HttpStatusCode expected)
    {
        var client = _server.Client(role is null ? null : await _server.KeyAsync(role));
        var r = await client.GetAsync("/api/imports");
        Assert.Equal(expected, r.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.Contains(role is null ? "Bearer" : role, await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_wrong_or_revoked_key_is_refused_with_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client("wm_not_a_key").GetAsync("/api/imports")).StatusCode);
        var (key, record) = await ApiKeys.CreateAsync(_server.Db.DataSource, "admin", "to revoke");
        Assert.True(await ApiKeys.RevokeAsync(_server.Db.DataSource, record.Prefix));
        ApiKeyAuthentication.ClearCache();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client(key).GetAsync("/api/imports")).StatusCode);
        // On public endpoints too: "who am I" with a mistyped key is not "the public" (the viewer's sign-in asks it).
        foreach (var path in new[] { "/api/me", "/api/land-use-codes", "/ogc/collections" })
        {
            var r = await _server.Client("wm_not_a_key").GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Contains("unknown or revoked", await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await _server.Client().GetAsync("/api/me")).StatusCode);   // no key: the public

        // The viewer asks in Vietnamese (its sign-in shows the server's reason).
        var vi = _server.Client("wm_not_a_key");
        vi.DefaultRequestHeaders.Add("Accept-Language", "vi");
        var problem = await (await vi.GetAsync("/api/me")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Cần đăng nhập", problem.GetProperty("title").GetString());
        Assert.Equal("khóa API không đúng hoặc đã bị thu hồi", problem.GetProperty("detail").GetString());
        var noKey = _server.Client();
        noKey.DefaultRequestHeaders.Add("Accept-Language", "vi-VN");
        Assert.StartsWith("việc này cần đăng nhập bằng khóa API", (await (await noKey.GetAsync("/api/imports")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Keys_create_prints_the_key_once_and_stores_only_its_hash_with_an_audit_entry()
    {
        var output = new StringWriter();
        Assert.Equal(0, await KeysCommand.RunAsync(_server.Db.DataSource, ["create", "--role", "officer", "--name", "Cán bộ địa chính"], output));
        var key = output.ToString().Trim();
        Assert.StartsWith("wm_", key);
        Assert.Equal(0, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE key_hash = $1 OR prefix = $1", key));
        Assert.Equal(1, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE key_hash = $1 AND role = 'officer'", ApiKeys.Hash(key)));
        Assert.Equal(1, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'key.create'"));
        Assert.Equal(2, await KeysCommand.RunAsync(_server.Db.DataSource, ["create", "--role", "mayor"], new StringWriter()));
    }

    [Fact]
    public async Task An_admin_uploads_a_layer_and_gets_the_import_report_and_an_audit_entry()
    {
        var admin = _server.Client(await _server.KeyAsync("admin"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent("ward_boundary"), "layer" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(Repo.SampleSmall("ward_boundary.geojson"))), "file", "ward_boundary.geojson" },
        };
        var r = await admin.PostAsync("/api/imports", form);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var report = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", report.GetProperty("status").GetString());
        Assert.Equal(1, report.GetProperty("rows_loaded").GetInt32());
        Assert.Equal(1, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM ward_boundary"));
        Assert.Equal(1, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'import' AND who LIKE 'test admin%'"));
    }

    [Fact]
    public async Task An_upload_of_several_sheet_files_imports_them_all_into_the_one_layer()
    {
        // The ward's two sheets, as a surveyor delivers them: a zipped shapefile made on a Mac (with its
        // __MACOSX/._ copies, which are not data) and a GeoPackage in another VN-2000 zone.
        var admin = _server.Client(await _server.KeyAsync("admin"));
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var ext in new[] { ".shp", ".shx", ".dbf", ".prj" })
            {
                archive.CreateEntryFromFile(Repo.SampleSmall("parcels_hai_duong_9209" + ext), "to-9209/parcels_hai_duong_9209" + ext);
                using var junk = archive.CreateEntry("__MACOSX/to-9209/._parcels_hai_duong_9209" + ext).Open();
                junk.Write([0, 5, 22, 7]);
            }
        using var form = new MultipartFormDataContent
        {
            { new StringContent("parcels"), "layer" },
            { new ByteArrayContent(zip.ToArray()), "file", "to-9209.zip" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(Repo.SampleSmall("parcels_hai_phong_9210.gpkg"))), "file", "parcels_hai_phong_9210.gpkg" },
        };
        var r = await admin.PostAsync("/api/imports", form);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var report = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(460 + 300, report.GetProperty("rows_loaded").GetInt32());
        Assert.Equal("parcels_hai_duong_9209.shp", report.GetProperty("file").GetString());
        Assert.Equal("parcels_hai_phong_9210.gpkg", report.GetProperty("more_files")[0].GetString());
        Assert.Equal(460, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM parcels WHERE source_srid = 9209"));
        Assert.Equal(300, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM parcels WHERE source_srid = 9210"));
        var run = await _server.Client(await _server.KeyAsync("admin")).GetFromJsonAsync<JsonElement>("/api/imports");
        Assert.Equal("parcels_hai_duong_9209.shp + parcels_hai_phong_9210.gpkg", run[0].GetProperty("file").GetString());
        // The run's report, read back later: the same figures, the files as sent.
        var stored = await admin.GetFromJsonAsync<JsonElement>($"/api/imports/{report.GetProperty("run_id").GetInt64()}");
        Assert.Equal(760, stored.GetProperty("rows_loaded").GetInt32());
        Assert.Equal("succeeded", stored.GetProperty("status").GetString());
        Assert.Equal("parcels_hai_duong_9209.shp", stored.GetProperty("file").GetString());
        Assert.Equal(["parcels_hai_phong_9210.gpkg"], stored.GetProperty("more_files").EnumerateArray().Select(f => f.GetString()));
        Assert.StartsWith("test admin", stored.GetProperty("who").GetString());
        var missing = await admin.GetAsync("/api/imports/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        // A zip cut short in transfer: a 400 naming it, and the parcels stay as they were.
        using var broken = new MultipartFormDataContent
        {
            { new StringContent("parcels"), "layer" },
            { new ByteArrayContent(zip.ToArray()[..200]), "file", "to-9210.zip" },
        };
        var refused = await admin.PostAsync("/api/imports", broken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'to-9210.zip' is not a zip archive", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(760, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM parcels"));
    }

    [Fact]
    public async Task An_upload_the_importer_refuses_is_a_422_naming_file_row_and_field()
    {
        var admin = _server.Client(await _server.KeyAsync("admin"));
        var projected = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"SoTo":1,"SoThua":1,"LoaiDat":"ODT"},"geometry":{"type":"Polygon","coordinates":[[[556000,2314000],[556010,2314000],[556010,2314010],[556000,2314000]]]}}]}""";
        using var form = new MultipartFormDataContent
        {
            { new StringContent("parcels"), "layer" },
            { new StringContent(projected), "file", "thua.geojson" },
        };
        var r = await admin.PostAsync("/api/imports", form);
        Assert.Equal((HttpStatusCode)422, r.StatusCode);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("--srs", problem.GetProperty("detail").GetString());
        Assert.Equal("thua.geojson", problem.GetProperty("file").GetString());
        Assert.Equal(1, problem.GetProperty("row").GetInt32());
        Assert.Equal("geometry", problem.GetProperty("field").GetString());

        // The viewer's import page asks in Vietnamese: the same refusal in its words, where it is and what to do.
        using var again = new MultipartFormDataContent
        {
            { new StringContent("parcels"), "layer" },
            { new StringContent(projected), "file", "thua.geojson" },
        };
        var vi = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = again, Headers = { { "Accept-Language", "vi" } } });
        Assert.Equal((HttpStatusCode)422, vi.StatusCode);
        var viProblem = await vi.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Không nhập được", viProblem.GetProperty("title").GetString());
        Assert.StartsWith("thua.geojson, dòng 1, trường geometry: tệp không ghi hệ tọa độ và tọa độ của nó (556000, 2314000) không phải kinh độ/vĩ độ; " +
            "hãy ghi hệ tọa độ (--srs EPSG:NNNN;", viProblem.GetProperty("detail").GetString());
        Assert.EndsWith("; lớp dữ liệu vẫn giữ nguyên như cũ", viProblem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_uploads_report_gives_each_rows_reason_and_each_note_in_Vietnamese_too()
    {
        // A land officer's sheet with the mistakes files really have: an unknown land-use code, a parcel number
        // in words, the same parcel twice. A check only, so the layer is not touched.
        var admin = _server.Client(await _server.KeyAsync("admin"));
        static object Row(object sheet, object no, string use, double dx) => new
        {
            type = "Feature", properties = new { SoTo = sheet, SoThua = no, LoaiDat = use },
            geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { 106.29 + dx, 20.93 }, [106.2901 + dx, 20.93], [106.2901 + dx, 20.9301], [106.29 + dx, 20.93] } } },
        };
        var sheet = JsonSerializer.Serialize(new
        {
            type = "FeatureCollection",
            features = new[] { Row(77, 1, "XYZ", 0), Row(77, "mười", "ODT", 0.001), Row(77, 3, "ODT", 0.002), Row(77, 3, "ODT", 0.003) },
        });
        using var form = new MultipartFormDataContent
        {
            { new StringContent("parcels"), "layer" },
            { new StringContent(sheet), "file", "to77.geojson" },
            { new StringContent("true"), "dry_run" },
        };
        var r = await admin.PostAsync("/api/imports", form);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var report = await r.Content.ReadFromJsonAsync<JsonElement>();
        var rejected = report.GetProperty("rejected").EnumerateArray().ToDictionary(x => x.GetProperty("row").GetInt64());
        Assert.Equal("unknown land-use code 'XYZ' (not in Thông tư 08/2024 nor the legacy table)", rejected[1].GetProperty("reason").GetString());
        Assert.Equal("mã loại đất 'XYZ' không có trong Thông tư 08/2024 hay bảng mã cũ", rejected[1].GetProperty("reason_vi").GetString());
        Assert.Equal("'mười' không phải số nguyên", rejected[2].GetProperty("reason_vi").GetString());
        Assert.Equal("trùng sheet_no/parcel_no 77/3 (đã có ở dòng 3)", rejected[4].GetProperty("reason_vi").GetString());
        // Notes side by side, one for one: the CRS read from lon/lat.
        var notes = report.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
        var notesVi = report.GetProperty("notes_vi").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Equal(notes.Count, notesVi.Count);
        Assert.Equal("tệp không ghi hệ tọa độ; tọa độ của nó là kinh độ/vĩ độ nên được đọc theo WGS 84 (EPSG:4326, như GeoJSON theo RFC 7946)",
            notesVi[notes.FindIndex(n => n!.StartsWith("the file declares no CRS"))]);
        // And so when the run is read again later.
        var stored = await admin.GetFromJsonAsync<JsonElement>($"/api/imports/{report.GetProperty("run_id").GetInt64()}");
        Assert.Equal("mã loại đất 'XYZ' không có trong Thông tư 08/2024 hay bảng mã cũ", stored.GetProperty("rejected")[0].GetProperty("reason_vi").GetString());
    }

    [Fact]
    public async Task A_land_officer_reads_what_the_imports_changed_in_a_parcel()
    {
        await using var server = await RunningServer.StartAsync();   // a ward of its own: two parcels, then a transfer
        static object Parcel(int no, string use, string owner, double dx) => new
        {
            type = "Feature", properties = new { SoTo = 12, SoThua = no, LoaiDat = use, TenChu = owner, DiaChi = $"{no} Ngõ Quyền" },
            geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { 106.29 + dx, 20.93 }, [106.2902 + dx, 20.93], [106.2902 + dx, 20.9302], [106.29 + dx, 20.93] } } },
        };
        async Task<WardMap.Importers.ImportReport> Import(string name, bool upsert, params object[] parcels)
        {
            var file = Path.Combine(Directory.CreateTempSubdirectory("wardmap-history-").FullName, name);
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { type = "FeatureCollection", features = parcels }));
            return await new WardMap.Importers.Importer(server.Db.DataSource).RunAsync(new WardMap.Importers.ImportRequest("parcels", file) { Upsert = upsert });
        }
        await Import("to12.geojson", false, Parcel(1, "ODT", "Nguyễn Văn An", 0), Parcel(2, "CLN", "Lê Văn Cường", 0.001));
        var id = await server.Db.ScalarAsync<long>("SELECT id FROM parcels WHERE sheet_no = 12 AND parcel_no = 1");
        var officer = server.Client(await server.KeyAsync("officer"));
        var before = await officer.GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/history");
        Assert.Empty(before.GetProperty("changes").EnumerateArray());   // nothing since the first import
        Assert.Equal(JsonValueKind.String, before.GetProperty("since").ValueKind);

        // The parcel is sold and becomes a shop: the land registry's update, by parcel number.
        var update = await Import("bien-dong-thang-11.geojson", true, Parcel(1, "TMD", "Trần Thị Bình", 0));
        var history = await officer.GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/history");
        var change = Assert.Single(history.GetProperty("changes").EnumerateArray());
        Assert.Equal("changed", change.GetProperty("change").GetString());
        Assert.Equal("bien-dong-thang-11.geojson", Path.GetFileName(change.GetProperty("file").GetString()));
        Assert.Equal(["land_use", "owner_name"], change.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).Order());
        Assert.Equal("Nguyễn Văn An", change.GetProperty("before").GetProperty("owner_name").GetString());
        Assert.Equal("Trần Thị Bình", change.GetProperty("after").GetProperty("owner_name").GetString());
        Assert.Equal("TMD", change.GetProperty("after").GetProperty("land_use").GetString());
        Assert.Equal(2, await server.Db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'parcel.read' AND target = $1", $"history of {id}"));   // each read
        // Owners' names are in it: the public and planners are refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().GetAsync($"/api/parcels/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client(await server.KeyAsync("planner")).GetAsync($"/api/parcels/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync("/api/parcels/999999/history")).StatusCode);

        // The whole month's changes for the land office's account: the run's rows as a spreadsheet (administrators).
        var admin = server.Client(await server.KeyAsync("admin"));
        var csv = await admin.GetAsync($"/api/imports/{update.RunId}/changes.csv");
        Assert.Equal($"bien-dong-lan-nhap-{update.RunId}.csv", csv.Content.Headers.ContentDisposition?.FileName);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(["key,change,fields,before,after",
            "12/1,changed,land_use; owner_name,land_use=ODT; owner_name=Nguyễn Văn An,land_use=TMD; owner_name=Trần Thị Bình"], lines);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync($"/api/imports/{update.RunId}/changes.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/imports/999999/changes.csv")).StatusCode);

        // 12/2 is merged into its neighbour: the new sheet has no 12/2. Looked up by number, the answer says when it went.
        var merged = await Import("to12-2026.geojson", false, Parcel(1, "TMD", "Trần Thị Bình", 0));
        Assert.Equal(1, merged.Changes!.Removed);
        var search = await server.Client().GetFromJsonAsync<JsonElement>("/api/parcels?sheet=12&no=2");
        Assert.Equal(0, search.GetProperty("numberMatched").GetInt32());
        Assert.Equal("to12-2026.geojson", Path.GetFileName(search.GetProperty("removed").GetProperty("file").GetString()));
        Assert.Equal(merged.RunId, search.GetProperty("removed").GetProperty("run_id").GetInt64());
        Assert.False((await server.Client().GetFromJsonAsync<JsonElement>("/api/parcels?sheet=12&no=7")).TryGetProperty("removed", out _));   // never there
    }

    [Fact]
    public async Task An_upload_without_a_key_is_refused()
    {
        using var form = new MultipartFormDataContent { { new StringContent("parcels"), "layer" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().PostAsync("/api/imports", form)).StatusCode);
    }
}

/// <summary>What a person sees when the database is away, and when it comes back.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Healthz_is_503_while_the_database_is_unreachable_and_200_once_it_is_back()
    {
        await using var db = await (await PostGis.InstanceAsync()).CreateDatabaseAsync();
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        int proxyPort = PostGis.FreePort();
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Port = proxyPort, Timeout = 2 }.ConnectionString;

        await using var server = await RunningServer.StartAsync(viaProxy);
        var client = server.Client();
        var down = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        // A person's request meanwhile: a 503 that says why and when to ask again, in the viewer's language.
        var parcels = new HttpRequestMessage(HttpMethod.Get, "/api/parcels?sheet=1&no=1");
        parcels.Headers.AcceptLanguage.ParseAdd("vi");
        var away = await client.SendAsync(parcels);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, away.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), away.Headers.RetryAfter?.Delta);
        Assert.Equal("cơ sở dữ liệu đang không trả lời; thử lại sau giây lát", (await away.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        using var proxy = new TcpForwarder(proxyPort, target.Host!, target.Port);
        var deadline = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            status = (await client.GetAsync("/healthz")).StatusCode;
        } while (status != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(40));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>A loopback TCP forwarder: the "database" appears when it starts.</summary>
    sealed class TcpForwarder : IDisposable
    {
        readonly TcpListener _listener;
        readonly CancellationTokenSource _stop = new();

        public TcpForwarder(int port, string host, int targetPort)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var outbound = new TcpClient();
                    await outbound.ConnectAsync(host, targetPort);
                    _ = Pump(inbound.GetStream(), outbound.GetStream());
                    _ = Pump(outbound.GetStream(), inbound.GetStream());
                }
            });
        }

        async Task Pump(NetworkStream from, NetworkStream to)
        {
            try { await from.CopyToAsync(to, _stop.Token); } catch { /* closed */ }
            to.Close();
        }

        public void Dispose() { _stop.Cancel(); _listener.Stop(); }
    }
}

/// <summary>The one-sentence errors of the command line.</summary>
public sealed class CommandLineTests
{
    static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "WardMap.GisServer.dll");

    static async Task<(int Code, string Output)> Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(ServerDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("WARDMAP_DB");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException("the server did not exit"); }
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task A_wrong_connection_gives_one_sentence_not_a_stack_trace()
    {
        var (code, output) = await Run("migrate", "--connection", "Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Timeout=3");
        Assert.Equal(1, code);
        Assert.Contains("Cannot reach PostgreSQL at 127.0.0.1:1/nowhere", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task A_busy_port_gives_one_sentence_not_a_stack_trace()
    {
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        try
        {
            var db = await (await PostGis.InstanceAsync()).CreateDatabaseAsync();
            await using (db)
            {
                var (code, output) = await Run("serve", "--urls", $"http://127.0.0.1:{port}", "--connection", db.ConnectionString);
                Assert.Equal(1, code);
                Assert.Contains("already in use", output);
                Assert.DoesNotContain("   at ", output);
            }
        }
        finally { busy.Stop(); }
    }
}

/// <summary>The tests' own throwaway clusters do not outlive the test process that made them.</summary>
public sealed class TestClusterTests
{
    [Fact]
    public async Task A_cluster_whose_test_process_is_gone_is_stopped_and_removed_and_a_live_ones_cluster_is_kept()
    {
        await using var orphan = await PostGis.StartPrivateAsync();
        await using var kept = await PostGis.StartPrivateAsync();   // owned by this process, which is alive
        // The orphan's owner "died": a process that has exited, as a test host that dotnet test ended.
        using (var gone = Process.Start(new ProcessStartInfo("true"))!)
        {
            await gone.WaitForExitAsync();
            await File.WriteAllTextAsync(Path.Combine(orphan.Folder!, "owner.pid"), gone.Id.ToString());
        }

        // A cluster another test process is making this moment: its owner file is there but not yet written.
        var starting = Directory.CreateTempSubdirectory("wardmap-pg-").FullName;
        await File.WriteAllTextAsync(Path.Combine(starting, "owner.pid"), "");

        Assert.True(await PostGis.SweepOrphansAsync(Path.GetTempPath()) >= 1);

        Assert.True(Directory.Exists(starting), "a cluster being made was swept as an orphan");
        Directory.Delete(starting, true);
        Assert.False(Directory.Exists(orphan.Folder));
        await using (var conn = new NpgsqlConnection(orphan.AdminConnection + ";Timeout=3"))
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => conn.OpenAsync());   // its PostgreSQL is stopped
        Assert.True(Directory.Exists(kept.Folder));
        await using (var conn = new NpgsqlConnection(kept.AdminConnection))
        {
            await conn.OpenAsync();
            Assert.Equal(1, await new NpgsqlCommand("SELECT 1", conn).ExecuteScalarAsync());
        }
    }
}
