using WardMap.GisServer.Reports;

namespace WardMap.GisServer.Tests;

/// <summary>
/// A report stream's position, as an IOC screen hands it back on reconnect: ids still awaited below the newest
/// one sent, and when they are given up (waiting 30 s is not a test to run against a server).
/// </summary>
public sealed class StreamPositionTests
{
    static readonly DateTime Noon = new(2026, 12, 3, 5, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Rows_that_commit_out_of_order_are_awaited_then_sent_then_forgotten()
    {
        Assert.True(StreamPosition.TryParse("12", Noon, out var p));
        p.Sent(15, Noon);                      // 13 and 14 were taken by transactions not yet committed
        Assert.Equal("15-13.14", p.ToString());
        Assert.Equal([13L, 14L], p.Awaited);
        p.Sent(14, Noon);
        Assert.Equal("15-13", p.ToString());
        p.Sent(16, Noon);
        Assert.Equal("16-13", p.ToString());
        Assert.False(p.Expire(Noon + StreamPosition.GapWait / 2));
        Assert.True(p.Expire(Noon + StreamPosition.GapWait));   // 13 rolled back: the position moves on
        Assert.Equal("16", p.ToString());
        p.Sent(13, Noon);                      // a row already given up and then seen is sent, not awaited again
        Assert.Equal("16", p.ToString());
    }

    [Fact]
    public void A_written_position_reads_back_and_anything_else_is_refused()
    {
        Assert.True(StreamPosition.TryParse("15-13.14", Noon, out var p));
        Assert.Equal(15, p.Top);
        Assert.Equal([13L, 14L], p.Awaited);
        Assert.Equal("15-13.14", p.ToString());
        foreach (var wrong in new[] { "", "abc", "15-", "-3", "15-15", "15-16", "15-13.", "1.5", "15-13,14", $"5000-{5000 - StreamPosition.Lookback}" })
            Assert.False(StreamPosition.TryParse(wrong, Noon, out _), wrong);
    }

    [Fact]
    public void A_jump_in_ids_awaits_only_the_lookback_below_the_new_row()
    {
        Assert.True(StreamPosition.TryParse("10", Noon, out var p));
        p.Sent(10 + 5 * StreamPosition.Lookback, Noon);   // a sequence moved on by hand, or many rolled back
        Assert.Equal(StreamPosition.Lookback - 1, p.Awaited.Length);
        Assert.Equal(10 + 4 * StreamPosition.Lookback + 1, p.Awaited[0]);
        // Written, a position keeps the newest hundred of them, which read back.
        Assert.True(StreamPosition.TryParse(p.ToString(), Noon, out var back));
        Assert.Equal(100, back.Awaited.Length);
        Assert.Equal(p.Awaited[^100..], back.Awaited);
    }
}
