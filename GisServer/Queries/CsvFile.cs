using System.Globalization;
using System.Text;

namespace WardMap.GisServer.Queries;

/// <summary>A table as a CSV file that Excel opens with its Vietnamese intact.</summary>
public static class CsvFile
{
    public static byte[] Bytes(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", columns.Select(Field)));
        foreach (var row in rows) sb.AppendLine(string.Join(",", row.Select(Field)));
        // Excel reads UTF-8 only after a byte-order mark (else Vietnamese is garbled).
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }

    static string Field(object? v) => v switch
    {
        null or DBNull => "",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quoted(Inert(v.ToString()!)),
    };

    /// <summary>
    /// Text that starts like a formula (=, +, -, @, a tab or a return) gets a leading apostrophe: a resident's
    /// "=HYPERLINK(…)" stays text in the officer's spreadsheet instead of running (OWASP: CSV injection).
    /// </summary>
    static string Inert(string s) => s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + s : s;

    static string Quoted(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
