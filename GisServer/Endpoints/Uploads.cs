using System.IO.Compression;

namespace WardMap.GisServer.Endpoints;

/// <summary>
/// Files sent in a multipart form, written to a throwaway folder the way the importer reads them: a shapefile's
/// parts side by side, a .zip unpacked in its place. Used by the admin's layer upload and the planner's area file.
/// </summary>
public static class Uploads
{
    static readonly string[] Allowed = [".shp", ".shx", ".dbf", ".prj", ".cpg", ".gpkg", ".geojson", ".json", ".csv", ".zip"];

    public static readonly Said NoFile = new("no file in the 'file' field", "chưa có tệp nào trong trường 'file'");

    /// <summary>
    /// Writes the files into dir; the data files (.shp, .gpkg, .geojson/.json, .csv) in the order sent, a zip's
    /// in name order where the zip was; or the 400 for a file that is not one of them or a zip that cannot be read.
    /// </summary>
    public static async Task<(List<string> Data, IResult? Error)> SaveAsync(IEnumerable<IFormFile> files, string dir, CancellationToken ct)
    {
        var data = new List<string>();
        foreach (var f in files)
        {
            var (path, error) = await SaveOneAsync(f, dir, ct);
            if (error is not null) return (data, error);
            var name = Path.GetFileName(path!);
            if (Path.GetExtension(name).Equals(".zip", StringComparison.OrdinalIgnoreCase))
            {
                var into = Directory.CreateDirectory(Path.Combine(dir, $"zip{data.Count}-{Path.GetFileNameWithoutExtension(name)}")).FullName;
                try { ZipFile.ExtractToDirectory(path!, into); }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    return (data, Problems.BadRequest(new($"'{name}' is not a zip archive that can be read: {e.Message}", $"'{name}' không phải tệp nén zip đọc được: {e.Message}"), "file"));
                }
                data.AddRange(Directory.EnumerateFiles(into, "*", SearchOption.AllDirectories).Where(IsData).Order(StringComparer.Ordinal));
            }
            else if (IsData(path!)) data.Add(path!);
        }
        return (data, null);
    }

    /// <summary>One file written into dir under its own name (no folders), or the 400 for a kind not read.</summary>
    public static async Task<(string? Path, IResult? Error)> SaveOneAsync(IFormFile f, string dir, CancellationToken ct)
    {
        var name = Path.GetFileName(f.FileName);
        var ext = Path.GetExtension(name).ToLowerInvariant();
        if (!Allowed.Contains(ext))
            return (null, Problems.BadRequest(new($"'{name}': {ext} files are not read here (Shapefile, GeoPackage, GeoJSON, CSV or a .zip of them)",
                $"'{name}': ở đây không đọc tệp {ext} (chỉ Shapefile, GeoPackage, GeoJSON, CSV hoặc tệp .zip chứa chúng)"), "file"));
        var path = Path.Combine(dir, name);
        await using (var s = File.Create(path)) await f.CopyToAsync(s, ct);
        return (path, null);
    }

    /// <summary>A file the importer reads (a shapefile's .shx/.dbf/.prj go with its .shp); a zip made on a Mac also carries
    /// __MACOSX/._name copies, which are not data.</summary>
    static bool IsData(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".shp" or ".gpkg" or ".geojson" or ".json" or ".csv"
        && !path.Contains("__MACOSX") && !Path.GetFileName(path).StartsWith("._");
}
