using NetTopologySuite.Geometries;
using NetTopologySuite.Algorithm.Locate;
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
    IndexedPointInAreaLocator? _nearWard;
    /// <summary>
    /// The TM-3 zone each parcel on the map was surveyed in, by its key (sheet, parcel): read when a parcels file comes
    /// in another CRS, so a parcel it brings again is measured where the register measures it (LoadParcelZonesAsync).
    /// </summary>
    public Dictionary<string, int>? ParcelZones { get; private set; }

    public async Task LoadParcelZonesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        ParcelZones = new();
        await using var cmd = new NpgsqlCommand("SELECT sheet_no, parcel_no, source_srid FROM parcels", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (Crs.CrsRegistry.IsVn2000Tm3(r.GetInt32(2))) ParcelZones[RowConverter.JoinKey([r.GetInt32(0), r.GetInt32(1)])] = r.GetInt32(2);
    }

    /// <summary>
    /// Within the margin of the ward? A vertex inside the margin answers yes at the cost of one point
    /// location; only geometries whose first vertex is outside take the full intersection test.
    /// </summary>
    public bool IsNearWard(Geometry g) =>
        _nearWard is null || _nearWard.Locate(g.Coordinate) != Location.Exterior || WardWithMargin!.Intersects(g);

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
                var margin = ward.Buffer(request.OutsideMarginM / 111_320.0);
                data.WardWithMargin = PreparedGeometryFactory.Prepare(margin);
                data._nearWard = new IndexedPointInAreaLocator(margin);
            }
        }
        return data;
    }
}
