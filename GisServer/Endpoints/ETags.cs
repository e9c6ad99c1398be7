namespace WardMap.GisServer.Endpoints;

/// <summary>
/// If-None-Match as RFC 9110 §13.1.2 reads it: by the weak comparison, so a tag a CDN or proxy marked weak
/// (W/"…", as nginx does when it compresses a response on the way) still earns its 304.
/// </summary>
public static class ETags
{
    /// <summary>The request's If-None-Match names this tag (or *): the client holds this representation, a 304 will do.</summary>
    public static bool ClientHas(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch.ToString();
        if (header.Length == 0) return false;
        foreach (var part in header.Split(','))
        {
            var tag = part.Trim();
            if (tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag) return true;
        }
        return false;
    }
}
