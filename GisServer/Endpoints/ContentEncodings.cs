namespace WardMap.GisServer.Endpoints;

/// <summary>
/// Answers kept compressed ahead of time (the Viewer's bundles, the planners' conflict table): which of
/// brotli and gzip, smallest first, the client accepts.
/// </summary>
public static class ContentEncodings
{
    public static readonly (string Name, string Suffix)[] Offered = [("br", ".br"), ("gzip", ".gz")];

    /// <summary>The first offered encoding the request accepts (q > 0) and that is available, or null for none.</summary>
    public static (string Name, string Suffix)? Preferred(HttpRequest request, Func<(string Name, string Suffix), bool>? available = null)
    {
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        foreach (var e in Offered)
            if (accepted.Any(a => a.Value.Equals(e.Name, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0) && (available?.Invoke(e) ?? true))
                return e;
        return null;
    }
}
