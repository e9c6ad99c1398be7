using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using WardMap.GisServer.Auth;
using WardMap.GisServer;

namespace WardMap.TestSupport;

/// <summary>The real WardMap server on a free loopback port, over a test database of its own.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    public WebApplication App { get; }
    public TestDatabase Db { get; }
    public Uri BaseAddress { get; }

    RunningServer(WebApplication app, TestDatabase db, Uri address) => (App, Db, BaseAddress) = (app, db, address);

    /// <param name="settings">configuration as on the command line, e.g. <c>--Reports:PerClientPerHour=3</c></param>
    public static async Task<RunningServer> StartAsync(string? connectionOverride = null, TestDatabase? database = null, params string[] settings)
    {
        var db = database ?? await (await PostGis.InstanceAsync()).CreateDatabaseAsync();
        var app = Server.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. settings], connectionOverride ?? db.ConnectionString);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new RunningServer(app, db, new Uri(address));
        if (connectionOverride is null)
        {
            var state = app.Services.GetRequiredService<DatabaseState>();
            for (int i = 0; i < 200 && !state.Migrated; i++) await Task.Delay(25);
        }
        return server;
    }

    public HttpClient Client(string? key = null)
    {
        var c = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    /// <summary>Loads the committed small sample ward (every layer) through the importers.</summary>
    public async Task LoadSmallSampleAsync()
    {
        var importer = new WardMap.Importers.Importer(Db.DataSource);
        foreach (var (layer, file, upsert) in SampleLayers)
            await importer.RunAsync(new WardMap.Importers.ImportRequest(layer, Repo.SampleSmall(file))
            {
                Upsert = upsert,
                PopulationCsv = layer == "groups" ? Repo.SampleSmall("population.csv") : null,
            });
    }

    public static readonly (string Layer, string File, bool Upsert)[] SampleLayers =
    [
        ("ward_boundary", "ward_boundary.geojson", false), ("groups", "residential_groups.geojson", false),
        ("parcels", "parcels_hai_duong_9209.shp", false), ("parcels", "parcels_hai_phong_9210.gpkg", true),
        ("zones", "zones.gpkg", false), ("red_lines", "red_lines.geojson", false), ("roads", "roads.geojson", false),
        ("assets", "assets_points.csv", false), ("assets", "assets_lines.geojson", true),
    ];

    public async Task<string> KeyAsync(string role) => (await ApiKeys.CreateAsync(Db.DataSource, role, $"test {role}")).Key;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Db.DisposeAsync();
    }
}
