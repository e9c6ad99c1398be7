using System.Text.Json;
using System.Text.Json.Serialization;

namespace WardMap.Importers;

/// <summary>
/// A row the importer had something to say about: rejected, repaired or flagged; File names the file when an import
/// read several. Why is written as <c>reason</c> (English) and <c>reason_vi</c> (the viewer's import page).
/// </summary>
public sealed record RowIssue(long Row, string? Field, [property: JsonIgnore] Said Why, string? Value = null, string? File = null)
{
    public string Reason => Why.En;
    public string? ReasonVi => Why.Vi;
}

/// <summary>What an import did: printed, stored in import_runs.report, and written as JSON.</summary>
public sealed class ImportReport
{
    public long RunId { get; set; }
    public string Layer { get; set; } = "";
    public string File { get; set; } = "";
    /// <summary>The layer's other files, when it came in several (one per TM-3 zone, say) and one replace took them all.</summary>
    public List<string> MoreFiles { get; } = new();
    /// <summary>The file's name, or the files' joined with " + ": how the run is named on screen and in import_runs.</summary>
    [JsonIgnore] public string FileNames => string.Join(" + ", MoreFiles.Prepend(File).Select(Path.GetFileName));
    public string Sha256 { get; set; } = "";
    public string Mode { get; set; } = "replace";
    /// <summary>succeeded, skipped (same file already loaded), dry_run, or failed.</summary>
    public string Status { get; set; } = "running";
    public string? SourceCrs { get; set; }
    public int? SourceSrid { get; set; }
    public long RowsRead { get; set; }
    public long RowsLoaded { get; set; }
    public long RowsRepaired => Repaired.Count;
    public long RowsRejected => Rejected.Count;
    public long RowsDeleted { get; set; }
    /// <summary>Rows added, changed and removed (a dry run: that would be); each is in layer_changes, a first load's aside.</summary>
    public ChangeCounts? Changes { get; set; }
    public double Seconds { get; set; }
    public double RowsPerSecond => Seconds > 0 ? Math.Round(RowsRead / Seconds) : 0;
    public long? DataVersion { get; set; }
    /// <summary>Why a run failed: <c>error</c> in English, <c>error_vi</c> in Vietnamese.</summary>
    [JsonIgnore] public Said? Failure { get; set; }
    public string? Error => Failure?.En;
    public string? ErrorVi => Failure?.Vi;
    /// <summary>What a person should know about the run (encoding read, CRS assumed, …): <c>notes</c> and <c>notes_vi</c>.</summary>
    [JsonIgnore] public List<Said> Notes { get; } = new();
    [JsonPropertyName("notes")] public IEnumerable<string> NotesEn => Notes.Select(n => n.En);
    [JsonPropertyName("notes_vi")] public IEnumerable<string> NotesVi => Notes.Select(n => n.In(true));
    /// <summary>Seconds spent per phase: prepare (open, look-ups), stage (read + COPY), merge (swap or upsert), commit.</summary>
    public Dictionary<string, double> Timings { get; } = new();
    public Dictionary<string, string> FieldMapping { get; } = new();
    public List<RowIssue> Rejected { get; } = new();
    public List<RowIssue> Repaired { get; } = new();
    /// <summary>Rows loaded but worth a look: declared area far from the measured one, legacy codes converted.</summary>
    public List<RowIssue> Flagged { get; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A few lines for a terminal.</summary>
    public string Summary()
    {
        var lines = new List<string>
        {
            $"{Layer} <- {FileNames}: {Status}" + (Error is null ? "" : $" ({Error})"),
            $"  read {RowsRead}, loaded {RowsLoaded}, repaired {RowsRepaired}, rejected {RowsRejected}, flagged {Flagged.Count}" +
            (RowsDeleted > 0 ? $", removed {RowsDeleted} no longer in the file" : "") +
            (Seconds > 0 ? $" in {Seconds:0.00} s ({RowsPerSecond:0} rows/s)" : ""),
        };
        if (Changes is { } c) lines.Add($"  changes: {c.Added} added, {c.Changed} changed, {c.Removed} removed");
        if (SourceCrs is not null) lines.Add($"  source CRS {SourceCrs}");
        lines.AddRange(Notes.Select(n => "  note: " + n));
        foreach (var r in Rejected.Take(10)) lines.Add($"  rejected {(r.File is null ? "" : $"{r.File} ")}row {r.Row}{(r.Field is null ? "" : $", field {r.Field}")}: {r.Reason}");
        if (Rejected.Count > 10) lines.Add($"  … {Rejected.Count - 10} more rejected rows in the report");
        return string.Join(Environment.NewLine, lines);
    }
}
