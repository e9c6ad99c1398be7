namespace WardMap.TestSupport;

public static class Vietnamese
{
    /// <summary>
    /// Vietnamese text without its diacritics, lower case, as typed on a keyboard without Unikey: an oracle
    /// independent of PostgreSQL's unaccent (NFD, marks dropped, đ -> d).
    /// </summary>
    public static string Fold(string s) => new string(s.Normalize(System.Text.NormalizationForm.FormD)
        .Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
        .Select(c => c is 'đ' or 'Đ' ? 'd' : c).ToArray()).ToLowerInvariant();
}
