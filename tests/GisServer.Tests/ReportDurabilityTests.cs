
namespace WardMap.GisServer.Tests;

/// <summary>
/// A burst of submissions while PostgreSQL restarts: clients retry with their Idempotency-Keys, as the
/// mini-app does, and afterwards every report is there exactly once. Runs on a cluster of its own.
/// </summary>
public sealed class ReportDurabilityTests
{
    [Fact]
    public async Task A_PostgreSQL_restart_during_a_burst_loses_no_report_and_duplicates_none()
    {
        await using var cluster = await PostGis.StartPrivateAsync();
        var db = await cluster.CreateDatabaseAsync();
        // Four clients from one address, more reports than one address may send in an hour without a key: unlimited here.
        await using var server = await RunningServer.StartAsync(database: db, settings: "--Reports:PerClientPerHour=0");
        await server.LoadSmallSampleAsync();
        var lon = await db.ScalarAsync<double>("SELECT ST_X(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1");
        var lat = await db.ScalarAsync<double>("SELECT ST_Y(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1");

        const int Clients = 4, PerClient = 40;
        int accepted = 0, retries = 0;
        var ids = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        async Task Client(int c)
        {
            using var http = server.Client();
            http.Timeout = TimeSpan.FromSeconds(10);
            for (int i = 0; i < PerClient; i++)
            {
                var key = $"burst-{c}-{i}";
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while (true)
                {
                    try
                    {
                        var req = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = JsonContent.Create(new { category = "rubbish", text = key, lon, lat, accuracy_m = 10 }) };
                        req.Headers.Add("Idempotency-Key", key);
                        using var r = await http.SendAsync(req);
                        if (r.StatusCode == HttpStatusCode.Created)
                        {
                            ids[key] = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                            Interlocked.Increment(ref accepted);
                            break;
                        }
                        Assert.True((int)r.StatusCode >= 500, $"{key}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                    Assert.True(DateTime.UtcNow < deadline, $"{key} was never accepted");
                    Interlocked.Increment(ref retries);
                    await Task.Delay(200);
                }
            }
        }

        var burst = Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))));
        while (Volatile.Read(ref accepted) < Clients * PerClient / 4) await Task.Delay(20);
        await cluster.RestartAsync(TimeSpan.FromSeconds(2));
        await burst;
        db.DataSource.Clear();   // this test's own pooled connections died with the restart

        Assert.True(retries > 0, "the restart should have made some clients retry");
        Assert.Equal(Clients * PerClient, ids.Count);
        Assert.Equal(Clients * PerClient, await db.ScalarAsync<long>("SELECT count(*) FROM field_reports"));
        Assert.Equal(Clients * PerClient, await db.ScalarAsync<long>("SELECT count(DISTINCT idempotency_key) FROM field_reports"));
        Assert.Equal(Clients * PerClient, await db.ScalarAsync<long>("SELECT count(*) FROM field_report_history"));
        foreach (var (key, id) in ids.Take(20))
            Assert.Equal(key, await db.ScalarAsync<string>("SELECT text FROM field_reports WHERE public_id = $1::uuid", id));
    }
}
