using System.Diagnostics;

namespace WardMap.Bench;

/// <summary>Runs a command, timing it and reading its peak memory (from /proc while it runs).</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, TimeSpan Elapsed, long PeakRssBytes, string Output);

    public static async Task<Result> RunAsync(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!p.HasExited)
        {
            peak = Math.Max(peak, ReadHwm(p.Id));
            await Task.WhenAny(p.WaitForExitAsync(), Task.Delay(20));
        }
        await p.WaitForExitAsync();
        clock.Stop();
        return new Result(p.ExitCode, clock.Elapsed, peak, await stdout + await stderr);
    }

    /// <summary>VmHWM: the process's peak resident set so far.</summary>
    static long ReadHwm(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return 0;
    }

    public static double Median(IEnumerable<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
