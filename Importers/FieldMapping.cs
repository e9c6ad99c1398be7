using System.Text.Json;
using WardMap.Importers.Layers;

namespace WardMap.Importers;

/// <summary>
/// Which source field fills which column: the layer's default aliases (SoTo, SHBANDO, …), overridden by a
/// JSON mapping file: {"fields": {"sheet_no": "SO_TO"}, "constants": {"kind": "light"}}.
/// </summary>
public sealed class FieldMapping
{
    /// <summary>For each spec field, the source field index, or -1 (then maybe a constant).</summary>
    public int[] SourceIndex { get; }
    public string?[] Constants { get; }
    /// <summary>Source fields no column took (kept as jsonb attributes for assets).</summary>
    public int[] Unmapped { get; }

    public FieldMapping(LayerSpec spec, IReadOnlyList<string> sourceFields, string? mappingFile, string dataFile)
    {
        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var constants = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (mappingFile is not null) ReadMappingFile(mappingFile, spec, overrides, constants);

        var byKey = new Dictionary<string, int>();
        for (int i = 0; i < sourceFields.Count; i++) byKey.TryAdd(AssetKinds.Key(sourceFields[i]), i);

        SourceIndex = new int[spec.Fields.Length];
        Constants = new string?[spec.Fields.Length];
        for (int f = 0; f < spec.Fields.Length; f++)
        {
            var field = spec.Fields[f];
            SourceIndex[f] = -1;
            if (overrides.TryGetValue(field.Column, out var source))
            {
                SourceIndex[f] = byKey.TryGetValue(AssetKinds.Key(source), out var i) ? i
                    : throw new ImportException(mappingFile!, null, field.Column, new(
                        $"maps {field.Column} to '{source}', which {Path.GetFileName(dataFile)} does not have (it has: {string.Join(", ", sourceFields)})",
                        $"gán {field.Column} cho trường '{source}' mà {Path.GetFileName(dataFile)} không có (tệp có: {string.Join(", ", sourceFields)})"));
            }
            else
            {
                foreach (var alias in field.Aliases)
                    if (byKey.TryGetValue(AssetKinds.Key(alias), out var i)) { SourceIndex[f] = i; break; }
            }
            Constants[f] = constants.GetValueOrDefault(field.Column);
            if (field.Required && SourceIndex[f] < 0 && Constants[f] is null)
            {
                var (looked, has) = (string.Join(", ", field.Aliases), string.Join(", ", sourceFields));
                var example = "{\"fields\": {\"" + field.Column + "\": \"YOUR_FIELD\"}}";
                throw new ImportException(dataFile, null, field.Column, new(
                    $"no source field for {field.Column} (looked for {looked}; the file has {has}); name it in a mapping file: --mapping m.json with {example}",
                    $"không thấy trường nào cho {field.Column} (đã tìm {looked}; tệp có {has}); hãy đổi tên trường trong tệp thành một tên đã tìm, " +
                    $"hoặc khi nhập bằng lệnh, ghi nó trong tệp ánh xạ: --mapping m.json với {example}"));
            }
        }
        var used = SourceIndex.Where(i => i >= 0).ToHashSet();
        Unmapped = Enumerable.Range(0, sourceFields.Count).Where(i => !used.Contains(i)).ToArray();
    }

    static void ReadMappingFile(string path, LayerSpec spec, Dictionary<string, string> overrides, Dictionary<string, string> constants)
    {
        if (!File.Exists(path)) throw new ImportException(path, null, null, new("the mapping file does not exist", "không có tệp ánh xạ này"));
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            var detail = e.Message.Split('.')[0];
            throw new ImportException(path, null, null, new($"the mapping file is not valid JSON: {detail}", $"tệp ánh xạ không phải JSON hợp lệ: {detail}"));
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ImportException(path, null, null, new("the mapping file must be a JSON object", "tệp ánh xạ phải là một đối tượng JSON"));
            var fields = root.TryGetProperty("fields", out var f) ? f : root;
            foreach (var p in fields.EnumerateObject())
            {
                if (p.Name == "constants") continue;
                if (!spec.Fields.Any(x => x.Column.Equals(p.Name, StringComparison.OrdinalIgnoreCase)))
                    throw new ImportException(path, null, p.Name, NotAColumn(p.Name, spec, listColumns: true));
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new ImportException(path, null, p.Name, new("must name a source field as a string", "phải ghi tên một trường của tệp, dạng chuỗi"));
                overrides[p.Name] = p.Value.GetString()!;
            }
            if (root.TryGetProperty("constants", out var c))
                foreach (var p in c.EnumerateObject())
                {
                    if (!spec.Fields.Any(x => x.Column.Equals(p.Name, StringComparison.OrdinalIgnoreCase)))
                        throw new ImportException(path, null, p.Name, NotAColumn(p.Name, spec, listColumns: false));
                    constants[p.Name] = p.Value.ToString();
                }
        }
    }

    static Said NotAColumn(string name, LayerSpec spec, bool listColumns)
    {
        var columns = string.Join(", ", spec.Fields.Select(x => x.Column));
        return new($"'{name}' is not a column of {spec.Name}" + (listColumns ? $": use {columns}" : ""),
                   $"'{name}' không phải một cột của lớp {spec.Name}" + (listColumns ? $": dùng {columns}" : ""));
    }
}
