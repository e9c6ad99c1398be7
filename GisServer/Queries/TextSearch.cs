namespace WardMap.GisServer.Queries;

/// <summary>
/// Text typed into a search box, matched as people here type it: without diacritics (a keyboard without Unikey,
/// "nguyen") it matches the text with or without them; with them ("Nguyễn") it matches them exactly, in any case.
/// The query goes in as @q (<see cref="Pattern"/>) and @plain (<see cref="Plain"/>); unaccent: migration 0008.
/// </summary>
public static class TextSearch
{
    /// <summary>Typed without Vietnamese diacritics (ASCII only): matched against the text with its accents taken off.</summary>
    public static bool Plain(string query) => query.All(char.IsAscii);

    /// <summary>The text to look for inside a LIKE pattern: composed (NFC, as imported), with % and _ meaning themselves.</summary>
    public static string Pattern(string query) =>
        query.Trim().Normalize(System.Text.NormalizationForm.FormC).Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");

    /// <summary>SQL: the column contains @q.</summary>
    public static string Contains(string column) =>
        $"CASE WHEN @plain THEN unaccent({column}) ILIKE '%' || @q || '%' ELSE lower({column}) LIKE '%' || lower(@q) || '%' END";

    /// <summary>SQL: the column starts with @q.</summary>
    public static string StartsWith(string column) =>
        $"CASE WHEN @plain THEN unaccent({column}) ILIKE @q || '%' ELSE lower({column}) LIKE lower(@q) || '%' END";
}
