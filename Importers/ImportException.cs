namespace WardMap.Importers;

/// <summary>An import that cannot go on, with the file, row and field a person needs to fix it.</summary>
public sealed class ImportException(string file, long? row, string? field, string message) : Exception(message)
{
    public string File { get; } = file;
    public long? Row { get; } = row;
    public string? Field { get; } = field;

    /// <summary>"parcels.shp, row 12, field SoThua: not a number".</summary>
    public string Describe() =>
        string.Join(", ", new[] { System.IO.Path.GetFileName(File), Row is { } r ? $"row {r}" : null, Field is { } f ? $"field {f}" : null }
            .Where(s => s is not null)) + ": " + Message;
}
