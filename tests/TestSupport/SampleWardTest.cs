namespace WardMap.TestSupport;

/// <summary>A test class that needs the real server over the small sample ward, every layer imported.</summary>
public abstract class SampleWardTest : Xunit.IAsyncLifetime
{
    protected RunningServer Server { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync();
        await Server.LoadSmallSampleAsync();
    }

    public virtual async Task DisposeAsync() => await Server.DisposeAsync();

    protected Task<T> Scalar<T>(string sql, params object[] args) => Server.Db.ScalarAsync<T>(sql, args);
}
