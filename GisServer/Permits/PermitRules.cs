using System.Text.Json;
using System.Text.Json.Serialization;

namespace WardMap.GisServer.Permits;

/// <summary>One rule set of data/rules/permit-rules.json: limits, tables and their citations, in force for a period.</summary>
public sealed class PermitRuleSet
{
    public string Version { get; set; } = "";
    public string Name { get; set; } = "";
    public DateOnly EffectiveFrom { get; set; }
    public DateOnly? EffectiveTo { get; set; }
    public string[] ResidentialCodes { get; set; } = [];
    public string ResidentialReference { get; set; } = "";
    public double FootprintToleranceM { get; set; } = 0.05;
    public string FootprintReference { get; set; } = "";
    public string[] RedLineKinds { get; set; } = [];
    public double RedLineToleranceM2 { get; set; } = 0.01;
    /// <summary>How deep a footprint may reach across a red line and still lie on it: the plans' coordinate precision.</summary>
    public double RedLineToleranceM { get; set; } = 0.01;
    public string RedLineReference { get; set; } = "";
    public DensityRows DensityTable { get; set; } = new();
    public SetbackRows SetbackTable { get; set; } = new();
    public string[] HousingZoneUses { get; set; } = [];
    public string[] ConflictZoneUses { get; set; } = [];
    public string ConflictReference { get; set; } = "";
    public double SplitZoneMinSharePct { get; set; } = 1;

    public sealed class DensityRows
    {
        public string Reference { get; set; } = "";
        /// <summary>(lot area m², max density %) rows, by increasing area.</summary>
        public double[][] Rows { get; set; } = [];

        /// <summary>Linear interpolation between rows; flat beyond the first and last.</summary>
        public double At(double area)
        {
            if (area <= Rows[0][0]) return Rows[0][1];
            for (int i = 1; i < Rows.Length; i++)
                if (area <= Rows[i][0])
                {
                    var (a0, d0, a1, d1) = (Rows[i - 1][0], Rows[i - 1][1], Rows[i][0], Rows[i][1]);
                    return d0 + (d1 - d0) * (area - a0) / (a1 - a0);
                }
            return Rows[^1][1];
        }
    }

    public sealed class SetbackRows
    {
        public string Reference { get; set; } = "";
        /// <summary>Road widths (m) that separate the rows: &lt; first, first to &lt; second, ≥ second.</summary>
        public double[] RoadWidthLimits { get; set; } = [];
        /// <summary>Building heights (m) heading the columns: ≤ first, then the next ones, ≥ last.</summary>
        public double[] BuildingHeights { get; set; } = [];
        public double[][] Rows { get; set; } = [];

        public double At(double roadWidth, double height)
        {
            int row = RoadWidthLimits.Count(limit => roadWidth >= limit);
            int col = height <= BuildingHeights[0] ? 0 : Array.FindIndex(BuildingHeights, h => height <= h) is var i and >= 0 ? i : BuildingHeights.Length - 1;
            return Rows[row][col];
        }
    }
}

/// <summary>The rule sets, read once from the ward's file; the one in force on a date is picked per check.</summary>
public sealed class PermitRules
{
    public IReadOnlyList<PermitRuleSet> Sets { get; }
    public string File { get; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    sealed class Document
    {
        [JsonPropertyName("rule_sets")] public List<PermitRuleSet> RuleSets { get; set; } = [];
    }

    public PermitRules(string file)
    {
        File = file;
        var doc = JsonSerializer.Deserialize<Document>(System.IO.File.ReadAllText(file), Json)
                  ?? throw new InvalidDataException($"{file}: no rule sets");
        if (doc.RuleSets.Count == 0) throw new InvalidDataException($"{file}: no rule sets");
        foreach (var s in doc.RuleSets)
            if (s.DensityTable.Rows.Length < 2 || s.SetbackTable.Rows.Length != s.SetbackTable.RoadWidthLimits.Length + 1)
                throw new InvalidDataException($"{file}: rule set {s.Version} has an incomplete density or setback table");
        Sets = doc.RuleSets.OrderBy(s => s.EffectiveFrom).ToList();
    }

    public PermitRuleSet? InForce(DateOnly date) =>
        Sets.LastOrDefault(s => s.EffectiveFrom <= date && (s.EffectiveTo is null || date <= s.EffectiveTo));

    /// <summary>Permits:RulesFile, else data/rules/permit-rules.json in the checkout the server runs from.</summary>
    public static PermitRules Load(string? configured)
    {
        if (configured is not null) return new PermitRules(configured);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var f = Path.Combine(dir.FullName, "data", "rules", "permit-rules.json");
            if (System.IO.File.Exists(f)) return new PermitRules(f);
        }
        throw new FileNotFoundException("data/rules/permit-rules.json not found; set Permits:RulesFile");
    }
}
