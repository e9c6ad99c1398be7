using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using Npgsql;
using WardMap.Importers.Layers;

namespace WardMap.Importers;

/// <summary>What validation reads from the database once per import: land-use codes and the ward's outline.</summary>
public sealed class ReferenceData
{
    public HashSet<string> LandUseCodes { get; } = new();
    public Dictionary<string, string> LegacyCodes { get; } = new();
    /// <summary>The ward's outline (EPSG:4326), or null while none is loaded.</summary>
    public Geometry? Ward { get; private set; }
    public IPreparedGeometry? WardWithMargin { get; private set; }

    public static async Task<ReferenceData> LoadAsync(NpgsqlConnection conn, LayerSpec spec, ImportRequest request, CancellationToken ct)
    {
        var data = new ReferenceData();
        if (spec.LandUseColumn is not null)
        {
            await using (var cmd = new NpgsqlCommand("SELECT code FROM land_use_codes", conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) data.LandUseCodes.Add(r.GetString(0));
            await using (var cmd = new NpgsqlCommand("SELECT legacy_code, current_code FROM land_use_legacy", conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) data.LegacyCodes[r.GetString(0)] = r.GetString(1);
        }
        if (spec.Name != "ward_boundary")
        {
            await using var cmd = new NpgsqlCommand("SELECT ST_Union(geom) FROM ward_boundary", conn);
            if (await cmd.ExecuteScalarAsync(ct) is Geometry ward && !ward.IsEmpty)
            {
                data.Ward = ward;
                // A margin in degrees of latitude (1° ≈ 111.32 km); a degree of longitude is shorter at
                // 21° N, so the east-west margin is ~7 % more generous. Good enough for a sanity check.
                data.WardWithMargin = PreparedGeometryFactory.Prepare(ward.Buffer(request.OutsideMarginM / 111_320.0));
            }
        }
        return data;
    }
}
