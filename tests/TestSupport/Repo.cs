namespace WardMap.TestSupport;

/// <summary>Paths inside the repository, found from the test's bin folder.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WardMap.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find WardMap.sln above " + AppContext.BaseDirectory);
    }

    public static string SampleSmall(string file) => Path.Combine(Root, "data", "sample-small", file);
    public static string DomainFile(string file)
    {
        // ../shared/domain beside the checkout (as CI lays it out); the reference CSVs are also copied into data/.
        var shared = Path.Combine(Root, "..", "shared", "domain", file);
        return File.Exists(shared) ? shared : Path.Combine(Root, "data", "reference", file);
    }
}
