using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using WardMap.GisServer.Auth;
using WardMap.TestSupport;

namespace WardMap.GisServer.Tests;

/// <summary>The real WardMap server on a free loopback port, over a test database of its own.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    public WebApplication App { get; }
    public TestDatabase Db { get; }
    public Uri BaseAddress { get; }

    RunningServer(WebApplication app, TestDatabase db, Uri address) => (App, Db, BaseAddress) = (app, db, address);

    public static async Task<RunningServer> StartAsync(string? connectionOverride = null)
    {
        var db = await (await PostGis.InstanceAsync()).CreateDatabaseAsync();
        var app = Server.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], connectionOverride ?? db.ConnectionString);
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

    public async Task<string> KeyAsync(string role) => (await ApiKeys.CreateAsync(Db.DataSource, role, $"test {role}")).Key;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Db.DisposeAsync();
    }
}
