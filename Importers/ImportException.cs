namespace WardMap.Importers;

/// <summary>
/// An import that cannot go on, with the file, row and field a person needs to fix it; said in English for the
/// command line and scripts, and in Vietnamese for the viewer's import page.
/// </summary>
public sealed class ImportException(string file, long? row, string? field, Said message) : Exception(message.En)
{
    public string File { get; } = file;
    public long? Row { get; } = row;
    public string? Field { get; } = field;
    public Said Said { get; } = message;

    /// <summary>"parcels.shp, row 12, field SoThua: not a number" (or "…, dòng 12, trường SoThua: không phải là số").</summary>
    public Said Describe() => Said.After(Where(false), Where(true));

    string Where(bool vi) =>
        string.Join(", ", new[] { System.IO.Path.GetFileName(File), Row is { } r ? (vi ? $"dòng {r}" : $"row {r}") : null,
            Field is { } f ? (vi ? $"trường {f}" : $"field {f}") : null }.Where(s => s is not null)) + ": ";
}
