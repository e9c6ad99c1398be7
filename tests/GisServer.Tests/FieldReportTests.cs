using WardMap.GisServer.Reports;

namespace WardMap.GisServer.Tests;

/// <summary>Residents' reports over the small sample: placement against PostGIS, exactly-once, life cycle, live stream, Open311.</summary>
public sealed class FieldReportTests : SampleWardTest
{
    RunningServer _server => Server;


    async Task<(HttpResponseMessage Response, JsonElement Json)> Post(object body, string? key = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = JsonContent.Create(body) };
        if (key is not null) req.Headers.Add("Idempotency-Key", key);
        var r = await _server.Client().SendAsync(req);
        return (r, await r.Content.ReadFromJsonAsync<JsonElement>());
    }

    async Task<(double Lon, double Lat)> PointNearALightAsync()
    {
        var lon = await Scalar<double>("SELECT ST_X(geom) + 0.00005 FROM assets WHERE kind = 'light' ORDER BY id LIMIT 1 OFFSET 20");
        var lat = await Scalar<double>("SELECT ST_Y(geom) FROM assets WHERE kind = 'light' ORDER BY id LIMIT 1 OFFSET 20");
        return (lon, lat);
    }

    [Fact]
    public async Task A_report_is_placed_where_PostGIS_says_and_routed_by_its_category()
    {
        var (lon, lat) = await PointNearALightAsync();
        var (r, json) = await Post(new { category = "street_light", text = "Đèn không sáng", lon, lat, accuracy_m = 10, contact_name = "Lê Văn Tám", contact_phone = "0912345678" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var p = json.GetProperty("placement");
        Assert.Equal("inside", p.GetProperty("ward").GetString());
        Assert.Equal(await Scalar<string>("SELECT code FROM residential_groups WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))", lon, lat), p.GetProperty("group").GetProperty("code").GetString());
        Assert.Equal(await Scalar<long>("SELECT id FROM parcels ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 1", lon, lat), p.GetProperty("parcel").GetProperty("id").GetInt64());
        Assert.Equal(await Scalar<string>("SELECT name FROM roads ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 1", lon, lat), p.GetProperty("road").GetProperty("name").GetString());
        Assert.Equal(await Scalar<string>("SELECT code FROM assets WHERE kind = 'light' ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography LIMIT 1", lon, lat),
            p.GetProperty("asset").GetProperty("code").GetString());
        Assert.Equal("Đội quản lý chiếu sáng đô thị", json.GetProperty("unit").GetString());
        Assert.True(json.GetProperty("due_at").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        // The public view never shows the reporter's contact; an officer's does.
        var id = json.GetProperty("id").GetString();
        Assert.Equal(JsonValueKind.Null, (await _server.Client().GetFromJsonAsync<JsonElement>($"/api/reports/{id}")).GetProperty("contact_phone").ValueKind);
        Assert.Equal("0912345678", (await _server.Client(await _server.KeyAsync("officer")).GetFromJsonAsync<JsonElement>($"/api/reports/{id}")).GetProperty("contact_phone").GetString());
    }

    [Fact]
    public async Task The_accuracy_circle_decides_inside_uncertain_and_far()
    {
        // Points due east of the ward's eastern edge, at 30 m and 5 km.
        var x = await Scalar<double>("SELECT ST_XMax(geom) FROM ward_boundary");
        var y = await Scalar<double>("SELECT ST_Y(ST_Centroid(geom)) FROM ward_boundary");
        double east(double m) => x + m / (111_320 * Math.Cos(y * Math.PI / 180));
        var (near, json) = await Post(new { category = "rubbish", lon = east(30), lat = y, accuracy_m = 50 });
        Assert.Equal(HttpStatusCode.Created, near.StatusCode);
        Assert.Equal("uncertain", json.GetProperty("placement").GetProperty("ward").GetString());
        var (_, json2) = await Post(new { category = "rubbish", lon = east(30), lat = y, accuracy_m = 5 });
        Assert.Equal("outside_near", json2.GetProperty("placement").GetProperty("ward").GetString());
        var (far, problem) = await Post(new { category = "rubbish", lon = east(5000), lat = y, accuracy_m = 50 });
        Assert.Equal((HttpStatusCode)422, far.StatusCode);
        Assert.Contains("Phường Thạch Khôi", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await Scalar<long>("SELECT count(*) FROM field_reports WHERE ST_X(location) > $1", east(1000)));
    }

    [Fact]
    public async Task A_resident_whose_app_speaks_Vietnamese_is_told_why_in_Vietnamese()
    {
        var x = await Scalar<double>("SELECT ST_XMax(geom) FROM ward_boundary");
        var y = await Scalar<double>("SELECT ST_Y(ST_Centroid(geom)) FROM ward_boundary");
        async Task<(HttpResponseMessage, JsonElement)> Send(object body, string language)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = JsonContent.Create(body) };
            req.Headers.Add("Accept-Language", language);
            var r = await _server.Client().SendAsync(req);
            return (r, await r.Content.ReadFromJsonAsync<JsonElement>());
        }
        var far = new { category = "rubbish", lon = x + 0.05, lat = y };   // ~5 km east of the ward
        var (vi, problem) = await Send(far, "vi-VN,vi;q=0.9,en;q=0.8");
        Assert.Equal((HttpStatusCode)422, vi.StatusCode);
        Assert.Equal("Phản ánh chưa được tiếp nhận", problem.GetProperty("title").GetString());
        Assert.Matches(@"^vị trí này nằm ngoài Phường Thạch Khôi \(\d+\) \d+ m; ở đây chỉ nhận phản ánh trong phường$", problem.GetProperty("detail").GetString());
        Assert.Equal("location", problem.GetProperty("field").GetString());
        Assert.Equal(["vi"], vi.Content.Headers.ContentLanguage);
        // The same report from an app that prefers English, and the other reasons a resident meets, in Vietnamese.
        var (en, english) = await Send(far, "en-US,en;q=0.9,vi;q=0.8");
        Assert.Equal("Report not accepted", english.GetProperty("title").GetString());
        Assert.Contains("outside Phường Thạch Khôi", english.GetProperty("detail").GetString());
        Assert.Empty(en.Content.Headers.ContentLanguage);
        Assert.StartsWith("không có loại phản ánh 'den_hong': chọn một trong camera, drain, ",
            (await Send(new { category = "den_hong", lon = x, lat = y }, "vi")).Item2.GetProperty("detail").GetString());
        Assert.Equal("cần vị trí: kinh độ và vĩ độ (lon, lat, WGS 84)", (await Send(new { category = "rubbish" }, "vi")).Item2.GetProperty("detail").GetString());
        Assert.Equal(0, await Scalar<long>("SELECT count(*) FROM field_reports WHERE ST_X(location) > $1", x + 0.01));
    }

    [Fact]
    public async Task Open_reports_of_the_same_category_nearby_are_offered_as_duplicates()
    {
        var (lon, lat) = await PointNearALightAsync();
        var (_, first) = await Post(new { category = "street_light", lon, lat, accuracy_m = 10 });
        var (_, second) = await Post(new { category = "street_light", lon = lon + 0.0001, lat, accuracy_m = 10 });   // ~10 m away
        var dups = second.GetProperty("placement").GetProperty("duplicates").EnumerateArray().ToList();
        Assert.Contains(dups, d => d.GetProperty("id").GetString() == first.GetProperty("id").GetString());
        var (_, other) = await Post(new { category = "rubbish", lon, lat, accuracy_m = 10 });
        Assert.Empty(other.GetProperty("placement").GetProperty("duplicates").EnumerateArray());
    }

    [Fact]
    public async Task Twenty_parallel_retries_with_one_key_create_one_report_and_all_get_its_answer()
    {
        var (lon, lat) = await PointNearALightAsync();
        var key = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Post(new { category = "pothole", text = "ổ gà", lon, lat, accuracy_m = 8 }, key))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Response.StatusCode));
        Assert.Single(answers.Select(a => a.Json.GetProperty("id").GetString()).Distinct());
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM field_reports WHERE idempotency_key = $1", key));
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM field_report_history h JOIN field_reports f ON f.id = h.report_id WHERE f.idempotency_key = $1", key));
    }

    [Fact]
    public async Task Every_transition_is_kept_and_invalid_ones_are_409()
    {
        var (lon, lat) = await PointNearALightAsync();
        var officer = _server.Client(await _server.KeyAsync("officer"));
        async Task<HttpStatusCode> Move(string id, string status, string? reason = null) =>
            (await officer.PatchAsync($"/api/reports/{id}", JsonContent.Create(new { status, reason }))).StatusCode;
        async Task<List<string?>> Next(string id) =>
            (await officer.GetFromJsonAsync<JsonElement>($"/api/reports/{id}")).GetProperty("next_statuses").EnumerateArray().Select(s => s.GetString()).ToList();
        var sent = (await Post(new { category = "drain", lon, lat })).Json;
        var id = sent.GetProperty("id").GetString()!;
        // Each report says where it may go next: what the officer's buttons offer and the server takes.
        Assert.Equal(["accepted", "rejected"], sent.GetProperty("next_statuses").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.Conflict, await Move(id, "resolved"));
        Assert.Equal(HttpStatusCode.OK, await Move(id, "accepted"));
        Assert.Equal(["in_progress", "rejected"], await Next(id));
        Assert.Equal(HttpStatusCode.Conflict, await Move(id, "accepted"));
        Assert.Equal(HttpStatusCode.OK, await Move(id, "in_progress"));
        Assert.Equal(HttpStatusCode.OK, await Move(id, "resolved"));
        Assert.Equal(HttpStatusCode.Conflict, await Move(id, "rejected", "muộn"));
        Assert.Empty(await Next(id));   // resolved: no move left, so no button for one
        var history = (await officer.GetFromJsonAsync<JsonElement>($"/api/reports/{id}")).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("to").GetString()).ToList();
        Assert.Equal(["new", "accepted", "in_progress", "resolved"], history);
        Assert.Contains("test officer", (await officer.GetFromJsonAsync<JsonElement>($"/api/reports/{id}")).GetProperty("history")[1].GetProperty("who").GetString());

        var other = (await Post(new { category = "drain", lon, lat })).Json.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, await Move(other, "rejected"));            // a rejection needs a reason
        Assert.Equal(HttpStatusCode.OK, await Move(other, "rejected", "Không thuộc thẩm quyền phường"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().PatchAsync($"/api/reports/{other}", JsonContent.Create(new { status = "accepted" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await Move(Guid.NewGuid().ToString(), "accepted"));
        var list = await officer.GetFromJsonAsync<JsonElement>("/api/reports?status=rejected");
        Assert.Contains(list.GetProperty("reports").EnumerateArray(), x => x.GetProperty("id").GetString() == other);
    }

    [Fact]
    public async Task The_list_continues_after_the_last_report_seen_so_new_reports_repeat_nothing()
    {
        var lon = await Scalar<double>("SELECT ST_X(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1 OFFSET 40");
        var lat = await Scalar<double>("SELECT ST_Y(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1 OFFSET 40");
        var box = FormattableString.Invariant($"{lon - 1e-6},{lat - 1e-6},{lon + 1e-6},{lat + 1e-6}");   // only this test's reports
        async Task Send(int i) => (await Post(new { category = "drain", text = $"Trang {i}", lon, lat })).Response.EnsureSuccessStatusCode();
        for (int i = 0; i < 5; i++) await Send(i);
        var http = _server.Client();
        static string?[] Texts(JsonElement page) => page.GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("text").GetString()).ToArray();

        var first = await http.GetFromJsonAsync<JsonElement>($"/api/reports?bbox={box}&limit=2");
        Assert.Equal(["Trang 4", "Trang 3"], Texts(first));
        // Where the stream stood when the list was read: /api/reports/stream?last_event_id= follows on from there.
        Assert.Equal((await Scalar<long>("SELECT max(id) FROM field_report_history")).ToString(), first.GetProperty("last_event_id").GetString()!.Split('-')[0]);
        // Two reports come in while the officer reads the first page; the next page is still the next two older ones
        // (an offset of 2 would now give Trang 4 and 3 again).
        await Send(5); await Send(6);
        var second = await http.GetFromJsonAsync<JsonElement>(first.GetProperty("next").GetString());
        Assert.Equal(["Trang 2", "Trang 1"], Texts(second));
        var last = await http.GetFromJsonAsync<JsonElement>(second.GetProperty("next").GetString());
        Assert.Equal(["Trang 0"], Texts(last));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("next").ValueKind);
        Assert.Equal(7, last.GetProperty("total").GetInt32());
        Assert.Equal(["Trang 6", "Trang 5", "Trang 4"], Texts(await http.GetFromJsonAsync<JsonElement>($"/api/reports?bbox={box}&limit=3")));
        var skipped = await http.GetFromJsonAsync<JsonElement>($"/api/reports?bbox={box}&limit=2&offset=2");   // offset paging still works
        Assert.Equal(["Trang 4", "Trang 3"], Texts(skipped));
        Assert.Equal(["Trang 2", "Trang 1"], Texts(await http.GetFromJsonAsync<JsonElement>(skipped.GetProperty("next").GetString())));

        var seen = first.GetProperty("reports")[1].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/reports?before=yesterday")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/reports?before={seen}&offset=2")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/reports?offset=-1")).StatusCode);   // as /api/parcels: not read as 0
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/reports?limit=-1")).StatusCode);    // not read as 1
        Assert.Equal(500, (await http.GetFromJsonAsync<JsonElement>("/api/reports?limit=100000")).GetProperty("limit").GetInt32());
        var unknown = await http.GetAsync($"/api/reports?before={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>An open /api/reports/stream, read an event at a time: (the event's id, its data).</summary>
    sealed class EventStream(HttpClient http, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public static async Task<EventStream> OpenAsync(RunningServer server, string? lastEventId = null, string? query = null)
        {
            var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var req = new HttpRequestMessage(HttpMethod.Get, "/api/reports/stream" + query);
            if (lastEventId is not null) req.Headers.Add("Last-Event-ID", lastEventId);
            var r = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", r.Content.Headers.ContentType?.MediaType);
            var reader = new StreamReader(await r.Content.ReadAsStreamAsync());
            // The server sends this once the stream has its starting place: what is posted after it is sent.
            Assert.Equal(": WardMap field reports", await reader.ReadLineAsync());
            return new EventStream(http, r, reader);
        }

        public async Task<(string Id, string Data)> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            string id = "";
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("id: ")) id = line[4..];
                else if (line.StartsWith("data: ")) return (id, line[6..]);
            throw new InvalidOperationException("the stream ended");
        }

        public void Dispose() { reader.Dispose(); response.Dispose(); http.Dispose(); }
    }

    [Fact]
    public async Task The_stream_pushes_new_reports_and_resumes_after_a_drop()
    {
        var (lon, lat) = await PointNearALightAsync();
        string lastId;
        using (var stream = await EventStream.OpenAsync(_server))
        {
            var first = (await Post(new { category = "noise", lon, lat })).Json.GetProperty("id").GetString();
            var got = await stream.NextAsync();
            Assert.Contains(first!, got.Data);
            lastId = got.Id;
        }

        // Dropped: two more reports happen meanwhile; a reconnect with Last-Event-ID gets exactly those.
        var second = (await Post(new { category = "noise", lon, lat })).Json.GetProperty("id").GetString();
        var third = (await Post(new { category = "noise", lon, lat })).Json.GetProperty("id").GetString();
        using var resumed = await EventStream.OpenAsync(_server, lastId);
        Assert.Contains(second!, (await resumed.NextAsync()).Data);
        Assert.Contains(third!, (await resumed.NextAsync()).Data);

        // A position the stream never gave is refused, not read as "from now".
        using var http = _server.Client();
        var wrong = await http.GetAsync("/api/reports/stream?last_event_id=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_change_that_commits_after_a_later_one_still_reaches_the_stream_and_the_list_that_follows_it()
    {
        // History ids are taken when a row is inserted: an officer's change still committing gets a lower id than a
        // resident's report sent a moment later and committed first. Screens that saw the later one still get it.
        var (lon, lat) = await PointNearALightAsync();
        var report = (await Post(new { category = "noise", lon, lat })).Json.GetProperty("id").GetString()!;
        using var live = await EventStream.OpenAsync(_server);
        await using var officer = new Npgsql.NpgsqlConnection(_server.Db.ConnectionString);
        await officer.OpenAsync();
        await using var change = await officer.BeginTransactionAsync();
        await using (var cmd = new Npgsql.NpgsqlCommand("""
            WITH moved AS (UPDATE field_reports SET status = 'accepted', updated_at = now() WHERE public_id = $1 RETURNING id)
            INSERT INTO field_report_history (report_id, who, from_status, to_status) SELECT id, 'officer', 'new', 'accepted' FROM moved
            """, officer, change) { Parameters = { new() { Value = Guid.Parse(report) } } })
            await cmd.ExecuteNonQueryAsync();

        var later = (await Post(new { category = "noise", lon, lat })).Json.GetProperty("id").GetString()!;
        var seen = await live.NextAsync();
        Assert.Contains(later, seen.Data);
        var list = await _server.Client().GetFromJsonAsync<JsonElement>("/api/reports?limit=1");
        const string tile = "/tiles/field_reports/16/0/0.mvt";   // its ETag is the reports' version
        async Task<string?> TileETag() => (await _server.Client().GetAsync(tile)).Headers.ETag?.Tag;
        var before = await TileETag();
        await change.CommitAsync();

        // The open stream, a reconnect from the event before the commit, and a stream from the list read before it.
        static void IsTheChange(string data, string report) { Assert.Contains(report, data); Assert.Contains("\"status\" : \"accepted\"", data); }
        IsTheChange((await live.NextAsync()).Data, report);
        using (var resumed = await EventStream.OpenAsync(_server, seen.Id)) IsTheChange((await resumed.NextAsync()).Data, report);
        using (var fromList = await EventStream.OpenAsync(_server, query: $"?last_event_id={list.GetProperty("last_event_id").GetString()}"))
            IsTheChange((await fromList.NextAsync()).Data, report);

        // The report tiles' ETag moved with the late row, and the watcher's next look at the table (the newest id,
        // the same as before the commit) does not bring back the ETag of the tiles that lacked it.
        var after = await TileETag();
        for (int i = 0; i < 40 && after == before; i++) { await Task.Delay(100); after = await TileETag(); }
        Assert.NotEqual(before, after);
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<WardMap.Tiles.LayerVersionWatcher>(_server.App.Services).RefreshAsync(default);
        Assert.Equal(after, await TileETag());
    }

    [Fact]
    public async Task More_screens_than_database_connections_follow_the_stream_and_leave_nothing_behind()
    {
        // Every open viewer and IOC screen keeps a stream open: more of them than the server's pool has
        // connections (30 in tests, 100 by default), opened and closed as browsers come and go.
        var pool = new Npgsql.NpgsqlConnectionStringBuilder(_server.Db.ConnectionString).MaxPoolSize;
        var screens = pool + 10;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = screens + 5 }) { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        async Task<(HttpResponseMessage Response, StreamReader Reader)> Open()
        {
            var r = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/reports/stream"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var reader = new StreamReader(await r.Content.ReadAsStreamAsync(timeout.Token));
            Assert.Equal(": WardMap field reports", await reader.ReadLineAsync(timeout.Token));
            return (r, reader);
        }
        var open = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        for (var i = 0; i < screens; i++) open.Add(await Open());

        // The streams wait on the server's one listener, not on a connection each: the rest of the server is served.
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/reports?limit=1", timeout.Token)).StatusCode);
        var (lon, lat) = await PointNearALightAsync();
        var id = (await Post(new { category = "noise", lon, lat })).Json.GetProperty("id").GetString()!;
        foreach (var (_, reader) in open)
        {
            string? line;
            do line = await reader.ReadLineAsync(timeout.Token); while (line is not null && !line.StartsWith("data: "));
            Assert.Contains(id, line);
        }

        // The screens close; as many open again, and every one is served.
        foreach (var (response, reader) in open) { reader.Dispose(); response.Dispose(); }
        open.Clear();
        for (var i = 0; i < screens; i++) open.Add(await Open());
        foreach (var (response, reader) in open) { reader.Dispose(); response.Dispose(); }
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'"));
    }

    [Fact]
    public async Task One_address_sending_more_reports_than_the_hourly_limit_is_told_when_to_try_again()
    {
        // A second server over this test's database (and its sample), limited to three an hour.
        var server = await RunningServer.StartAsync(database: _server.Db, settings: "--Reports:PerClientPerHour=3");
        try { await Limited(server); }
        finally { await server.App.StopAsync(); await server.App.DisposeAsync(); }   // the database stays _server's
    }

    async Task Limited(RunningServer server)
    {
        var (lon, lat) = await PointNearALightAsync();
        async Task<HttpResponseMessage> Send(Action<System.Net.Http.Headers.HttpRequestHeaders>? headers = null, string? key = null)
        {
            using var http = server.Client(key);
            var req = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = JsonContent.Create(new { category = "rubbish", text = "rác", lon, lat }) };
            headers?.Invoke(req.Headers);
            return await http.SendAsync(req);
        }
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Created, (await Send()).StatusCode);

        // The fourth within the hour: 429, when to try again, and why in the resident's Vietnamese; nothing stored.
        var stored = await Scalar<long>("SELECT count(*) FROM field_reports");
        var refused = await Send(h => h.AcceptLanguage.ParseAdd("vi"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Contains("phản ánh trong một giờ", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(stored, await Scalar<long>("SELECT count(*) FROM field_reports"));
        // Open311 counts against the same hour.
        var open311 = await server.Client().PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["service_code"] = "rubbish", ["lat"] = lat.ToString(System.Globalization.CultureInfo.InvariantCulture), ["long"] = lon.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        Assert.Equal(HttpStatusCode.TooManyRequests, open311.StatusCode);

        // An officer's key is not counted; another resident, behind the same reverse proxy on this machine, is not either.
        Assert.Equal(HttpStatusCode.Created, (await Send(key: await server.KeyAsync("officer"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Send(h => h.Add("X-Forwarded-For", "203.0.113.7"))).StatusCode);
    }

    [Fact]
    public async Task A_report_left_unacknowledged_past_its_working_hours_is_overdue_until_accepted()
    {
        var (lon, lat) = await PointNearALightAsync();
        var officer = _server.Client(await _server.KeyAsync("officer"));
        async Task<JsonElement> Get(string id) => await officer.GetFromJsonAsync<JsonElement>($"/api/reports/{id}");
        async Task<bool> Listed(string id) => (await officer.GetFromJsonAsync<JsonElement>("/api/reports?overdue=true&limit=500"))
            .GetProperty("reports").EnumerateArray().Any(x => x.GetProperty("id").GetString() == id);

        // Rubbish: acknowledged within the category's 8 working hours (at least 8 hours of the clock), before it is due.
        var id = (await Post(new { category = "rubbish", lon, lat })).Json.GetProperty("id").GetString()!;
        var report = await Get(id);
        var (created, acceptBy, due) = (report.GetProperty("created_at").GetDateTimeOffset(), report.GetProperty("accept_by").GetDateTimeOffset(), report.GetProperty("due_at").GetDateTimeOffset());
        Assert.Equal(8, await Scalar<decimal>("SELECT accept_hours FROM report_categories WHERE code = 'rubbish'"));
        Assert.True(acceptBy - created >= TimeSpan.FromHours(8) && acceptBy < due, $"{created} {acceptBy} {due}");
        Assert.False(report.GetProperty("overdue").GetBoolean());
        // A flood is handled within 3 working hours: acknowledged by then too.
        var flood = await Get((await Post(new { category = "flooding", lon, lat })).Json.GetProperty("id").GetString()!);
        Assert.Equal(flood.GetProperty("due_at").GetDateTimeOffset(), flood.GetProperty("accept_by").GetDateTimeOffset());

        // Its time to be acknowledged passes: overdue for acceptance, in the overdue list.
        await _server.Db.ExecAsync($"UPDATE field_reports SET accept_due_at = now() - interval '1 minute' WHERE public_id = '{id}'");
        report = await Get(id);
        Assert.Equal((true, "acceptance"), (report.GetProperty("overdue").GetBoolean(), report.GetProperty("overdue_for").GetString()));
        Assert.True(await Listed(id));
        // Accepted: no longer late, until its deadline for handling passes.
        (await officer.PatchAsJsonAsync($"/api/reports/{id}", new { status = "accepted" })).EnsureSuccessStatusCode();
        Assert.False((await Get(id)).GetProperty("overdue").GetBoolean());
        Assert.False(await Listed(id));
        await _server.Db.ExecAsync($"UPDATE field_reports SET due_at = now() - interval '1 minute' WHERE public_id = '{id}'");
        report = await Get(id);
        Assert.Equal((true, "resolution"), (report.GetProperty("overdue").GetBoolean(), report.GetProperty("overdue_for").GetString()));
        Assert.True(await Listed(id));
    }

    [Fact]
    public async Task A_summary_counts_reports_by_status_deadline_category_and_group_as_portals_publish_them()
    {
        // Three reports at one spot (this test's bbox), sent with an officer's key (no hourly limit).
        var lon = await Scalar<double>("SELECT ST_X(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1 OFFSET 77");
        var lat = await Scalar<double>("SELECT ST_Y(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1 OFFSET 77");
        var box = FormattableString.Invariant($"{lon - 1e-6},{lat - 1e-6},{lon + 1e-6},{lat + 1e-6}");
        var officer = _server.Client(await _server.KeyAsync("officer"));
        async Task<string> Send(string category) => (await (await officer.PostAsJsonAsync("/api/reports", new { category, lon, lat })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var handled = await Send("rubbish");
        await Send("rubbish");
        var late = await Send("drain");
        foreach (var to in new[] { "accepted", "in_progress", "resolved" })
            (await officer.PatchAsJsonAsync($"/api/reports/{handled}", new { status = to })).EnsureSuccessStatusCode();
        await _server.Db.ExecAsync($"UPDATE field_reports SET accept_due_at = now() - interval '1 hour' WHERE public_id = '{late}'");

        // Anyone may read it (the IOC's wall, the ward's public page): counts, no personal data.
        var summary = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/reports/summary?bbox={box}");
        Assert.Equal(3, summary.GetProperty("total").GetInt32());
        Assert.Equal([("new", 2), ("accepted", 0), ("in_progress", 0), ("resolved", 1), ("rejected", 0)],
            summary.GetProperty("by_status").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        Assert.Equal(2, summary.GetProperty("open").GetInt32());
        Assert.Equal((1, 0), (summary.GetProperty("overdue").GetProperty("acceptance").GetInt32(), summary.GetProperty("overdue").GetProperty("resolution").GetInt32()));
        Assert.Equal((1, 1), (summary.GetProperty("resolved").GetInt32(), summary.GetProperty("resolved_on_time").GetInt32()));
        var categories = summary.GetProperty("by_category").EnumerateArray().ToDictionary(c => c.GetProperty("category").GetString()!);
        Assert.Equal((2, 1, 0), (categories["rubbish"].GetProperty("total").GetInt32(), categories["rubbish"].GetProperty("open").GetInt32(), categories["rubbish"].GetProperty("overdue").GetInt32()));
        Assert.Equal((1, 1, 1), (categories["drain"].GetProperty("total").GetInt32(), categories["drain"].GetProperty("open").GetInt32(), categories["drain"].GetProperty("overdue").GetInt32()));
        Assert.Equal(await Scalar<string>("SELECT name_vi FROM report_categories WHERE code = 'drain'"), categories["drain"].GetProperty("name").GetString());
        var group = Assert.Single(summary.GetProperty("by_group").EnumerateArray());
        Assert.Equal(await Scalar<string>("SELECT name FROM residential_groups WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))", lon, lat), group.GetProperty("name").GetString());
        Assert.Equal(3, group.GetProperty("total").GetInt32());
        Assert.DoesNotContain("contact", summary.GetRawText());
        // Kept per reports' version: a new report is counted as soon as the server has heard of it.
        await Send("noise");
        var counted = 3;
        for (var tries = 0; tries < 50 && counted == 3; tries++, await Task.Delay(100))
            counted = (await _server.Client().GetFromJsonAsync<JsonElement>($"/api/reports/summary?bbox={box}")).GetProperty("total").GetInt32();
        Assert.Equal(4, counted);

        // The list's filters: a month with none of them counts nothing; a date that is not one is a 400.
        var empty = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/reports/summary?bbox={box}&since=2020-01-01&until=2020-02-01");
        Assert.Equal(0, empty.GetProperty("total").GetInt32());
        Assert.Equal(0, empty.GetProperty("by_status").GetProperty("new").GetInt32());
        Assert.Empty(empty.GetProperty("by_category").EnumerateArray());
        var wrong = await _server.Client().GetAsync("/api/reports/summary?since=01/11/2026");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_months_reports_download_as_a_spreadsheet_without_contact_data()
    {
        var (lon, lat) = await PointNearALightAsync();
        var officer = _server.Client(await _server.KeyAsync("officer"));
        var formula = (await Post(new { category = "street_light", text = "=HYPERLINK(\"http://x\",\"bấm\")", lon, lat, contact_name = "Trần Thị Bình", contact_phone = "0901234567" })).Json.GetProperty("id").GetString()!;
        var done = (await Post(new { category = "rubbish", text = "Rác, \"nhiều\"\nở ngõ", lon, lat })).Json.GetProperty("id").GetString()!;
        foreach (var to in new[] { "accepted", "in_progress", "resolved" })
            (await officer.PatchAsJsonAsync($"/api/reports/{done}", new { status = to })).EnsureSuccessStatusCode();
        // Months are Việt Nam's: one sent at 23:30 on last month's last evening is last month's, one sent at 00:30 on
        // the first this month's (in UTC both are the same day of last month).
        var old = (await Post(new { category = "rubbish", text = "tháng trước", lon, lat })).Json.GetProperty("id").GetString()!;
        var now = DateTime.UtcNow.AddHours(7);
        var month = new DateTime(now.Year, now.Month, 1);
        await _server.Db.ExecAsync($"UPDATE field_reports SET created_at = '{month:yyyy-MM-dd} 00:00:00+07'::timestamptz - interval '30 minutes' WHERE public_id = '{old}'");
        await _server.Db.ExecAsync($"UPDATE field_reports SET created_at = '{month:yyyy-MM-dd} 00:30:00+07' WHERE public_id = '{formula}'");

        async Task<(byte[] Bytes, List<Dictionary<string, string>> Rows)> Csv(string query)
        {
            var r = await _server.Client().GetAsync($"/api/reports?format=csv&{query}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("text/csv", r.Content.Headers.ContentType?.MediaType);
            var bytes = await r.Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);   // Excel reads the Vietnamese
            using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(new MemoryStream(bytes[3..]), Encoding.UTF8) { Delimiters = [","], HasFieldsEnclosedInQuotes = true };
            var header = parser.ReadFields()!;
            var rows = new List<Dictionary<string, string>>();
            while (!parser.EndOfData) rows.Add(header.Zip(parser.ReadFields()!).ToDictionary(x => x.First, x => x.Second));
            return (bytes, rows);
        }
        var (bytes, rows) = await Csv($"since={month:yyyy-MM-dd}&until={month.AddMonths(1):yyyy-MM-dd}");
        // This month's reports, as PostgreSQL counts them in Việt Nam time; last month's is not among them.
        Assert.Equal(await Scalar<long>($"SELECT count(*) FROM field_reports WHERE created_at >= '{month:yyyy-MM-dd} 00:00+07' AND created_at < '{month.AddMonths(1):yyyy-MM-dd} 00:00+07'"), rows.Count);
        Assert.DoesNotContain(rows, x => x["id"] == old);
        var light = rows.Single(x => x["id"] == formula);
        Assert.Equal("'=HYPERLINK(\"http://x\",\"bấm\")", light["text"]);   // text, not a formula, in the officer's Excel
        Assert.Equal(await Scalar<string>("SELECT group_code FROM field_reports WHERE public_id = $1", Guid.Parse(formula)), light["group"]);
        Assert.Equal(await Scalar<string>("SELECT placement->'asset'->>'code' FROM field_reports WHERE public_id = $1", Guid.Parse(formula)), light["asset"]);
        Assert.NotEmpty(light["asset"]);
        Assert.DoesNotContain("Trần Thị Bình", Encoding.UTF8.GetString(bytes));
        Assert.DoesNotContain("0901234567", Encoding.UTF8.GetString(bytes));
        var closed = rows.Single(x => x["id"] == done);
        Assert.Equal(("resolved", "Rác, \"nhiều\"\nở ngõ"), (closed["status"], closed["text"]));
        Assert.Equal(await Scalar<string>("""
            SELECT to_char(max(h.at) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')
            FROM field_report_history h JOIN field_reports f ON f.id = h.report_id WHERE f.public_id = $1
            """, Guid.Parse(done)), closed["closed_at"]);
        // A date-time with its offset says the same as the date.
        Assert.Equal(rows.Count, (await Csv($"since={month:yyyy-MM-dd}T00:00:00%2B07:00&until={month.AddMonths(1):yyyy-MM-dd}")).Rows.Count);
        // The status filter holds for the spreadsheet too; a date that is not one is a 400 naming it.
        var resolved = (await Csv("status=resolved")).Rows;
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM field_reports WHERE status = 'resolved'"), resolved.Count);
        Assert.All(resolved, x => Assert.Equal("resolved", x["status"]));
        var bad = await _server.Client().GetAsync("/api/reports?format=csv&since=01/11/2026");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("since", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Stopping_the_server_ends_open_streams_instead_of_waiting_for_them()
    {
        using var http = _server.Client();
        var r = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/reports/stream"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await r.Content.ReadAsStreamAsync());
        Assert.Equal(": WardMap field reports", await reader.ReadLineAsync());
        await _server.App.StopAsync();
        // The stream ended as a response does (the browser's EventSource reconnects once the server is back),
        // not cut off by the host's shutdown timeout (30 s) as an aborted connection.
        while (await reader.ReadLineAsync() is { } line) Assert.True(line is "" or "retry: 2000" || line.StartsWith(": "), line);
    }

    [Fact]
    public async Task Open311_clients_list_services_post_a_request_and_read_it_back()
    {
        var services = await _server.Client().GetFromJsonAsync<JsonElement>("/open311/v2/services.json");
        Assert.Contains(services.EnumerateArray(), s => s.GetProperty("service_code").GetString() == "pothole");
        var (lon, lat) = await PointNearALightAsync();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["service_code"] = "pothole", ["lat"] = lat.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["long"] = lon.ToString(System.Globalization.CultureInfo.InvariantCulture), ["description"] = "Ổ gà sâu trước số 12", ["first_name"] = "Hoa",
        });
        var r = await _server.Client().PostAsync("/open311/v2/requests.json", form);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var id = (await r.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("service_request_id").GetString();
        var one = await _server.Client().GetFromJsonAsync<JsonElement>($"/open311/v2/requests/{id}.json");
        Assert.Equal("open", one[0].GetProperty("status").GetString());
        Assert.Equal("Ổ gà sâu trước số 12", one[0].GetProperty("description").GetString());
        var open = await _server.Client().GetFromJsonAsync<JsonElement>("/open311/v2/requests.json?status=open&service_code=pothole");
        Assert.Contains(open.EnumerateArray(), x => x.GetProperty("service_request_id").GetString() == id);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Client().PostAsync("/open311/v2/requests.json",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["service_code"] = "pothole" }))).StatusCode);
    }

    [Fact]
    public async Task The_service_list_names_categories_in_Vietnamese_or_in_English_for_a_client_that_prefers_it()
    {
        async Task<(string Name, string? Language)> PotholeAsync(string? acceptLanguage)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/open311/v2/services.json");
            if (acceptLanguage is not null) request.Headers.Add("Accept-Language", acceptLanguage);
            var r = await _server.Client().SendAsync(request);
            r.EnsureSuccessStatusCode();
            Assert.Contains("Accept-Language", r.Headers.Vary);   // a cache keeps the two lists apart
            var pothole = (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single(s => s.GetProperty("service_code").GetString() == "pothole");
            return (pothole.GetProperty("service_name").GetString()!, r.Content.Headers.ContentLanguage.SingleOrDefault());
        }
        Assert.Equal(("Hư hỏng mặt đường", "vi"), await PotholeAsync(null));   // residents' language unless asked otherwise
        Assert.Equal(("Hư hỏng mặt đường", "vi"), await PotholeAsync("vi-VN,vi;q=0.9,en;q=0.5"));
        Assert.Equal(("Damaged road surface", "en"), await PotholeAsync("en-GB,en;q=0.9"));
        // Every category has its English name (migration 0015), so an English list is English throughout.
        Assert.Equal(0, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM report_categories WHERE name_en IS NULL"));
    }

    [Fact]
    public async Task Open_and_closed_follow_the_life_cycle_in_every_answer()
    {
        var (lon, lat) = await PointNearALightAsync();
        var officer = _server.Client(await _server.KeyAsync("officer"));
        var id = (await Post(new { category = "pothole", lon, lat })).Json.GetProperty("id").GetString()!;
        await _server.Db.ExecAsync($"UPDATE field_reports SET due_at = now() - interval '1 hour' WHERE public_id = '{id}'");
        async Task<bool> Overdue() => (await officer.GetFromJsonAsync<JsonElement>($"/api/reports/{id}")).GetProperty("overdue").GetBoolean();
        async Task<bool> Listed(string query) => (await officer.GetFromJsonAsync<JsonElement>(query)).EnumerateArray().Any(x => x.GetProperty("service_request_id").GetString() == id);
        async Task<bool> ListedOverdue() => (await officer.GetFromJsonAsync<JsonElement>("/api/reports?overdue=true&limit=200")).GetProperty("reports").EnumerateArray().Any(x => x.GetProperty("id").GetString() == id);

        Assert.True(await Overdue());
        Assert.True(await ListedOverdue());
        Assert.True(await Listed("/open311/v2/requests.json?status=open"));
        Assert.False(await Listed("/open311/v2/requests.json?status=closed"));

        Assert.Equal(HttpStatusCode.OK, (await officer.PatchAsync($"/api/reports/{id}", JsonContent.Create(new { status = "rejected", reason = "Trùng phản ánh khác" }))).StatusCode);
        Assert.False(await Overdue());          // closed: past its due time is no longer late
        Assert.False(await ListedOverdue());
        Assert.False(await Listed("/open311/v2/requests.json?status=open"));
        Assert.True(await Listed("/open311/v2/requests.json?status=closed"));
        Assert.Equal("closed", (await officer.GetFromJsonAsync<JsonElement>($"/open311/v2/requests/{id}.json"))[0].GetProperty("status").GetString());

        // The SQL that marks overdue reports for the API and the tiles (0013) calls open what the life cycle does.
        foreach (var status in new[] { "new", "accepted", "in_progress", "resolved", "rejected" })
            Assert.Equal(FieldReports.Moves.ContainsKey(status),
                await Scalar<bool>("SELECT report_overdue_for($1, now() + interval '1 hour', now() - interval '1 hour') IS NOT NULL", status));
    }

    [Fact]
    public async Task A_photo_is_type_checked_stored_by_hash_and_served_to_officers()
    {
        var (lon, lat) = await PointNearALightAsync();
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
        MultipartFormDataContent Form(byte[] photo) => new()
        {
            { new StringContent("rubbish"), "category" }, { new StringContent(lon.ToString(System.Globalization.CultureInfo.InvariantCulture)), "lon" },
            { new StringContent(lat.ToString(System.Globalization.CultureInfo.InvariantCulture)), "lat" }, { new ByteArrayContent(photo), "photo", "anh.png" },
        };
        var r = await _server.Client().PostAsync("/api/reports", Form(png));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(png, await _server.Client(await _server.KeyAsync("officer")).GetByteArrayAsync($"/api/reports/{id}/photo"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().GetAsync($"/api/reports/{id}/photo")).StatusCode);
        var bad = await _server.Client().PostAsync("/api/reports", Form(Encoding.ASCII.GetBytes("<script>alert(1)</script>")));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, bad.StatusCode);
    }

    [Fact]
    public async Task A_new_report_changes_the_report_tiles_and_leaves_the_map_tiles_cached()
    {
        var etag = (await _server.Client().GetAsync("/tiles/field_reports/16/0/0.mvt")).Headers.ETag?.Tag;
        var (lon, lat) = await PointNearALightAsync();
        // The map's own tiles (the styles' composite source), built and cached before the report.
        var (x, y) = WardMap.Tiles.WardExtent.TileOf(lon, lat, 16);
        var map = $"/tiles/{WardMap.Tiles.Styles.CompositeLayers}/16/{x}/{y}.mvt";
        var mapEtag = (await _server.Client().GetAsync(map)).Headers.ETag?.Tag;

        await Post(new { category = "flooding", lon, lat });
        string? after = etag;
        for (int i = 0; i < 40 && after == etag; i++) { await Task.Delay(100); after = (await _server.Client().GetAsync("/tiles/field_reports/16/0/0.mvt")).Headers.ETag?.Tag; }
        Assert.NotEqual(etag, after);
        // Reports have a source of their own in the IOC style: a report does not drop the parcels' and roads' tiles.
        var again = await _server.Client().GetAsync(map);
        Assert.Equal(mapEtag, again.Headers.ETag?.Tag);
        Assert.Equal("hit", again.Headers.GetValues("X-Tile-Cache").Single());
        var ioc = await _server.Client().GetFromJsonAsync<JsonElement>("/styles/ioc.json");
        var reportLayer = ioc.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("id").GetString() == "field-reports");
        Assert.Equal(WardMap.Tiles.Styles.ReportsSource, reportLayer.GetProperty("source").GetString());
        Assert.EndsWith("/tiles/field_reports/{z}/{x}/{y}.mvt", ioc.GetProperty("sources").GetProperty(WardMap.Tiles.Styles.ReportsSource).GetProperty("tiles")[0].GetString());
    }

    [Theory]
    [InlineData("{\"lon\":106.29,\"lat\":20.93}", "category")]
    [InlineData("{\"category\":\"nope\",\"lon\":106.29,\"lat\":20.93}", "unknown category 'nope': one of camera, drain, ")]
    [InlineData("{\"category\":\"pothole\",\"lon\":200,\"lat\":20.93}", "lon")]
    [InlineData("{\"category\":\"pothole\",\"lon\":106.29}", "lat")]
    [InlineData("{\"category\":\"pothole\",\"lon\":106.29,\"lat\":20.93,\"accuracy_m\":-1}", "accuracy_m")]
    [InlineData("{\"category\":\"pothole\",\"lon\":106.29,\"lat\":20.93,\"contact_phone\":\"0912 345 678 0912 345 678 0912 345\"}", "contact_phone is at most 30 characters")]
    public async Task A_bad_report_is_a_400_naming_the_field(string body, string says)
    {
        var r = await _server.Client().PostAsync("/api/reports", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(says, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reports_are_listed_by_the_parcel_or_asset_they_were_placed_on_and_by_being_open()
    {
        var (lon, lat) = await PointNearALightAsync();
        var (_, sent) = await Post(new { category = "street_light", text = "Đèn số 21 tắt", lon, lat, accuracy_m = 5 });
        var (_, done) = await Post(new { category = "street_light", text = "Đèn số 21 chập chờn", lon, lat, accuracy_m = 5 });
        var officer = _server.Client(await _server.KeyAsync("officer"));
        (await officer.PatchAsJsonAsync($"/api/reports/{done.GetProperty("id").GetString()}", new { status = "rejected", reason = "Trùng" })).EnsureSuccessStatusCode();
        var asset = sent.GetProperty("placement").GetProperty("asset").GetProperty("id").GetInt64();
        var parcel = sent.GetProperty("placement").GetProperty("parcel").GetProperty("id").GetInt64();
        async Task<List<string>> Texts(string query) => (await _server.Client().GetFromJsonAsync<JsonElement>($"/api/reports?{query}")).GetProperty("reports")
            .EnumerateArray().Select(r => r.GetProperty("text").GetString()!).ToList();

        Assert.Equal(["Đèn số 21 chập chờn", "Đèn số 21 tắt"], await Texts($"asset={asset}"));
        Assert.Equal(["Đèn số 21 tắt"], await Texts($"asset={asset}&open=true"));
        Assert.Equal(["Đèn số 21 chập chờn"], await Texts($"asset={asset}&open=false"));
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM field_reports WHERE parcel_id = $1", parcel), (await Texts($"parcel={parcel}")).Count);
        Assert.Empty(await Texts($"asset={asset}&category=pothole"));
        // The summary counts the same query; a filter that is not a number is a 400.
        var summary = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/reports/summary?asset={asset}");
        Assert.Equal(2, summary.GetProperty("total").GetInt32());
        Assert.Equal(1, summary.GetProperty("open").GetInt32());
        var bad = await _server.Client().GetAsync("/api/reports?parcel=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("parcel 'abc' is not a whole number", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_address_longer_than_a_form_would_hold_is_a_400_and_nothing_is_stored()
    {
        var before = await _server.Db.ScalarAsync<long>("SELECT count(*) FROM field_reports");
        var r = await _server.Client().PostAsJsonAsync("/api/reports", new { category = "pothole", lon = 106.29, lat = 20.93, address = new string('a', 501) });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("address", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(before, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM field_reports"));
    }
}
