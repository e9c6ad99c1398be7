using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using Npgsql;

namespace WardMap.GisServer.Permits;

/// <summary>What the officer asks: the parcel, the proposed house, the date of the application.</summary>
public sealed record PermitRequest(long ParcelId, Geometry? Footprint, int Floors, double HeightM, string Use, DateOnly ApplicationDate);

/// <summary>
/// One row of the answer: what was measured, against what limit, where the limit comes from, and the working
/// (Note, in Vietnamese as the permit file is written; NoteEn, the same in English for the viewer's English interface).
/// </summary>
public sealed record RuleRow(string Rule, string Title, object? Value, object? Limit, string Unit, string Result, string Reference, string? Note = null, string? NoteEn = null);

public sealed record PermitResult(string Verdict, string RuleSet, string RuleSetName, long ParcelId, int SheetNo, int ParcelNo, string Crs,
    IReadOnlyList<RuleRow> Rules);

/// <summary>
/// The spatial part of a detached-house permit review (../shared/domain/permits-and-planning.md): the
/// measurements come from PostGIS in the parcel's VN-2000 TM-3 zone (one statement); the rules, limits and
/// citations come from the rule set in force on the application date.
/// </summary>
/// <summary>A footprint drawn far from its parcel: most likely given in the wrong CRS, so there is nothing to check.</summary>
public sealed class FootprintElsewhere(Said why) : Exception(why.En)
{
    public Said Why { get; } = why;
}

public static class PermitCheck
{
    /// <summary>Everything the rules need, measured in the parcel's TM-3 zone. @fp is the footprint in EPSG:4326 or null.</summary>
    const string MeasureSql = """
        WITH p AS (SELECT id, sheet_no, parcel_no, land_use, source_srid AS srid, geom, ST_Transform(geom, source_srid) AS g FROM parcels WHERE id = @id),
        f AS (SELECT COALESCE(ST_Transform(@fp::geometry, p.srid), p.g) AS g FROM p),
        -- overlap: the footprint's area across the red line, counted once it reaches deeper than @red_tol into it;
        -- a footprint on the line to within that (coordinates rounded in the plan's file) lies on it, not across it.
        rl AS (SELECT r.code, r.kind, r.name, r.width_m, r.plan_ref, x.g,
                      CASE WHEN ST_Intersects(ST_Buffer(x.g, -@red_tol), f.g) THEN ST_Area(ST_Intersection(x.g, f.g)) ELSE 0 END AS overlap
               FROM red_lines r, p, f, LATERAL (SELECT ST_Transform(r.geom, p.srid) AS g) x
               WHERE r.kind = ANY(@kinds) AND ST_DWithin(r.geom, p.geom, 0.001)),
        z AS (SELECT zn.zone_code, zn.planned_use, zn.max_density_pct, zn.max_floors, zn.max_height_m, zn.setback_m, zn.plan_ref,
                     ST_Area(ST_Intersection(ST_Transform(zn.geom, p.srid), p.g)) AS area,
                     ST_Area(ST_Intersection(ST_Transform(zn.geom, p.srid), f.g)) AS footprint_area
              FROM zones zn, p, f WHERE ST_Intersects(zn.geom, p.geom) AND NOT ST_Touches(zn.geom, p.geom))
        SELECT p.id, p.sheet_no, p.parcel_no, p.land_use, p.srid,
               ST_Area(p.g), ST_Area(f.g), ST_Area(ST_Difference(f.g, p.g)),
               COALESCE((SELECT max(ST_Distance(d.geom, p.g)) FROM ST_DumpPoints(f.g) d), 0),
               COALESCE((SELECT sum(overlap) FROM rl), 0),
               (SELECT min(ST_Distance(rl.g, f.g)) FROM rl),
               (SELECT json_agg(json_build_object('code', code, 'kind', kind, 'name', name, 'plan_ref', plan_ref,
                        'overlap_m2', overlap, 'distance_m', ST_Distance(rl.g, f.g))) FROM rl)::text,
               (SELECT json_agg(json_build_object('zone_code', zone_code, 'planned_use', planned_use, 'max_density_pct', max_density_pct,
                        'max_floors', max_floors, 'max_height_m', max_height_m, 'setback_m', setback_m, 'plan_ref', plan_ref,
                        'area_m2', area, 'footprint_area_m2', footprint_area) ORDER BY area DESC) FROM z WHERE z.area > 0.01)::text,
               (SELECT r.width_m FROM roads r WHERE ST_DWithin(r.geom, p.geom, 0.0005) ORDER BY r.geom <-> p.geom LIMIT 1)::float8,
               ST_Distance(f.g, p.g)
        FROM p, f
        """;

    sealed record Zone(string ZoneCode, string PlannedUse, double? MaxDensityPct, int? MaxFloors, double? MaxHeightM, double? SetbackM,
        string? PlanRef, double AreaM2, double FootprintAreaM2);
    sealed record RedLine(string Code, string Kind, string? Name, string? PlanRef, double OverlapM2, double DistanceM);

    static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs the check; null when the parcel does not exist. Throws <see cref="ArgumentException"/> for a footprint nowhere near it.</summary>
    public static async Task<PermitResult?> RunAsync(NpgsqlDataSource db, PermitRuleSet rules, PermitRequest req, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(MeasureSql);
        cmd.Parameters.AddWithValue("id", req.ParcelId);
        cmd.Parameters.Add(new NpgsqlParameter("fp", NpgsqlTypes.NpgsqlDbType.Geometry) { Value = (object?)req.Footprint ?? DBNull.Value });
        cmd.Parameters.AddWithValue("kinds", rules.RedLineKinds);
        cmd.Parameters.AddWithValue("red_tol", rules.RedLineToleranceM);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        long id = r.GetInt64(0); int sheet = r.GetInt32(1), no = r.GetInt32(2);
        string landUse = r.GetString(3); int srid = r.GetInt32(4);
        double parcelArea = r.GetDouble(5), fpArea = r.GetDouble(6), outsideArea = r.GetDouble(7), maxOutside = r.GetDouble(8);
        double redOverlap = r.GetDouble(9);
        double? redDistance = r.IsDBNull(10) ? null : r.GetDouble(10);
        var redLines = r.IsDBNull(11) ? [] : JsonSerializer.Deserialize<List<RedLine>>(r.GetString(11), Snake)!;
        var zones = r.IsDBNull(12) ? [] : JsonSerializer.Deserialize<List<Zone>>(r.GetString(12), Snake)!;
        double? roadWidth = r.IsDBNull(13) ? null : r.GetDouble(13);
        double fpToParcel = r.GetDouble(14);
        if (req.Footprint is not null && fpToParcel > 50)
            throw new FootprintElsewhere(new($"the footprint lies {fpToParcel:0} m from parcel {no} (sheet {sheet}): is it in the wrong CRS?",
                $"mặt bằng công trình cách thửa {no} (tờ {sheet}) {fpToParcel:0} m: có phải tọa độ theo hệ khác không?"));

        var rows = new List<RuleRow>();
        static double A(double v) => Math.Round(v, 1);   // areas as a surveyor rounds them: 0.1 m²
        // The working's numbers as each language writes them (1.801,3 m² / 1,801.3 m²), whatever the server's locale.
        static string Vi(FormattableString s) => s.ToString(CultureInfo.GetCultureInfo("vi-VN"));
        static string En(FormattableString s) => s.ToString(CultureInfo.GetCultureInfo("en-GB"));
        static double L(double v) => Math.Round(v, 2);   // lengths: 0.01 m

        // 1. Residential land (the residential part of a compound code).
        var codes = landUse.Split('+');
        var residential = codes.Where(c => rules.ResidentialCodes.Contains(c)).ToList();
        var residentialPart = string.Join("+", residential);
        rows.Add(new("residential_land", "Thửa đất có đất ở", landUse, string.Join(" hoặc ", rules.ResidentialCodes), "",
            residential.Count > 0 ? "pass" : "fail", rules.ResidentialReference,
            residential.Count == 0 ? "thửa không có đất ở: không cấp phép nhà ở riêng lẻ"
            : codes.Length > 1 ? Vi($"mã hỗn hợp {landUse}: chỉ phần {residentialPart} là đất ở; kiểm tra diện tích đất ở trên giấy chứng nhận") : null,
            residential.Count == 0 ? "no residential land on the parcel: no permit for a detached house"
            : codes.Length > 1 ? En($"compound code {landUse}: only its {residentialPart} part is residential land; check the residential area on the certificate") : null));

        // 2. Footprint inside the parcel (digitising tolerance).
        rows.Add(new("footprint_inside_parcel", "Công trình nằm trong thửa đất", L(maxOutside), rules.FootprintToleranceM, "m",
            req.Footprint is null ? "pass" : maxOutside <= rules.FootprintToleranceM ? "pass" : "fail", rules.FootprintReference,
            req.Footprint is null ? "không có bản vẽ mặt bằng: lấy cả thửa làm phạm vi xây dựng"
            : Vi($"phần nằm ngoài thửa {A(outsideArea)} m², xa nhất {L(maxOutside)} m"),
            req.Footprint is null ? "no footprint drawn: the whole parcel is taken as the building's extent"
            : En($"{A(outsideArea)} m² outside the parcel, at most {L(maxOutside)} m beyond its edge")));

        // 3. Behind the red line and protected corridors: no overlap. Built to the line is behind it: touching it, or
        // across it by no more than the plans' coordinate precision (the overlap is then 0, see MeasureSql).
        bool OnIt(RedLine x) => x.OverlapM2 == 0 && x.DistanceM < rules.RedLineToleranceM;
        rows.Add(new("red_line_overlap", "Không lấn chỉ giới đường đỏ, hành lang bảo vệ", A(redOverlap), 0, "m²",
            redOverlap > rules.RedLineToleranceM2 ? "fail" : "pass", rules.RedLineReference,
            redLines.Count == 0 ? "không có chỉ giới/hành lang gần thửa"
            : string.Join("; ", redLines.Select(x => OnIt(x) ? Vi($"{x.Name ?? x.Code}: xây sát chỉ giới (trong {L(rules.RedLineToleranceM)} m), không lấn")
                : Vi($"{x.Name ?? x.Code}: lấn {A(x.OverlapM2)} m², cách {L(x.DistanceM)} m"))),
            redLines.Count == 0 ? "no red line or protection corridor near the parcel"
            : string.Join("; ", redLines.Select(x => OnIt(x) ? En($"{x.Name ?? x.Code}: built to it (within {L(rules.RedLineToleranceM)} m), not across it")
                : En($"{x.Name ?? x.Code}: {A(x.OverlapM2)} m² across it, {L(x.DistanceM)} m away")))));

        // 4. Setback from the red line: the plan's own building line, else the national table.
        var mainZone = zones.FirstOrDefault();
        if (redDistance is null)
            rows.Add(new("setback", "Khoảng lùi so với chỉ giới đường đỏ", null, null, "m", "pass", rules.SetbackTable.Reference,
                "không có chỉ giới đường đỏ gần thửa: không áp dụng", "no red line near the parcel: does not apply"));
        else
        {
            var (limit, source) = mainZone?.SetbackM is > 0
                ? (mainZone.SetbackM.Value, $"{mainZone.PlanRef} (khu {mainZone.ZoneCode}: chỉ giới xây dựng)")
                : (rules.SetbackTable.At(roadWidth ?? 0, req.HeightM), $"{rules.SetbackTable.Reference}; đường rộng {roadWidth ?? 0:0.#} m, công trình cao {req.HeightM:0.#} m");
            // A building across the red line measures 0 m from it: say why that fails even where the limit is 0 m.
            var across = redOverlap > rules.RedLineToleranceM2;
            rows.Add(new("setback", "Khoảng lùi so với chỉ giới đường đỏ", L(redDistance.Value), limit, "m",
                across || redDistance.Value + 0.005 < limit ? "fail" : "pass", source,
                across ? Vi($"công trình lấn qua chỉ giới {A(redOverlap)} m², không lùi vào sau chỉ giới") : null,
                across ? En($"the building reaches {A(redOverlap)} m² across the red line instead of standing behind it") : null));
        }

        // 5. Building density against the stricter of the zone and the national table.
        double density = parcelArea > 0 ? fpArea / parcelArea * 100 : 100;
        double national = rules.DensityTable.At(parcelArea);
        var zoneLimit = mainZone?.MaxDensityPct;
        var densityLimit = zoneLimit is { } zl ? Math.Min(zl, national) : national;
        rows.Add(new("density", "Mật độ xây dựng", Math.Round(density, 1), Math.Round(densityLimit, 1), "%",
            density <= densityLimit + 0.05 ? "pass" : "fail",
            zoneLimit is { } z2 && z2 < national ? $"{mainZone!.PlanRef} (khu {mainZone.ZoneCode}: {z2:0.#} %), chặt hơn {rules.DensityTable.Reference}" : rules.DensityTable.Reference,
            Vi($"diện tích xây dựng {A(fpArea)} m² / diện tích lô {A(parcelArea)} m²; bảng quốc gia cho lô {A(parcelArea)} m²: {national:0.#} %") +
            (zoneLimit is { } z3 ? Vi($"; quy hoạch khu: {z3:0.#} %") : ""),
            En($"footprint {A(fpArea)} m² / lot {A(parcelArea)} m²; the national table for a {A(parcelArea)} m² lot: {national:0.#} %") +
            (zoneLimit is { } z4 ? En($"; the zone's plan: {z4:0.#} %") : "")));

        // 6. Floors and height.
        rows.Add(new("floors", "Số tầng", req.Floors, mainZone?.MaxFloors, "tầng",
            mainZone?.MaxFloors is { } mf ? req.Floors <= mf ? "pass" : "fail" : "review",
            mainZone?.PlanRef ?? "quy hoạch chưa quy định", mainZone?.MaxFloors is null ? "khu quy hoạch không quy định số tầng: cán bộ xem xét" : null,
            mainZone?.MaxFloors is null ? "the zone's plan sets no number of floors: an officer decides" : null));
        rows.Add(new("height", "Chiều cao công trình", L(req.HeightM), mainZone?.MaxHeightM, "m",
            mainZone?.MaxHeightM is { } mh ? req.HeightM <= mh + 0.005 ? "pass" : "fail" : "review",
            mainZone?.PlanRef ?? "quy hoạch chưa quy định", mainZone?.MaxHeightM is null ? "khu quy hoạch không quy định chiều cao: cán bộ xem xét" : null,
            mainZone?.MaxHeightM is null ? "the zone's plan sets no height: an officer decides" : null));

        // 7. Zone use allows housing; a parcel split between zones needs a person.
        var significant = zones.Where(x => x.AreaM2 / Math.Max(parcelArea, 0.01) * 100 >= rules.SplitZoneMinSharePct && !rules.ConflictZoneUses.Contains(x.PlannedUse.Split('+')[0])).ToList();
        string Shares(Func<FormattableString, string> write) => string.Join("; ", significant.Select(x => write($"{x.ZoneCode} ({x.PlannedUse}) {x.AreaM2 / parcelArea * 100:0.#} %")));
        string zoneResult = significant.Count == 0 ? "review"
            : significant.Any(x => !x.PlannedUse.Split('+').Any(u => rules.HousingZoneUses.Contains(u))) ? "fail"
            : significant.Count > 1 ? "review" : "pass";
        rows.Add(new("zone_use", "Chức năng khu quy hoạch cho phép nhà ở", string.Join(", ", significant.Select(x => x.PlannedUse).Distinct()),
            string.Join(" hoặc ", rules.HousingZoneUses), "", zoneResult, mainZone?.PlanRef ?? "quy hoạch phân khu",
            significant.Count == 0 ? "thửa không nằm trong khu quy hoạch nào" : significant.Count > 1 ? $"thửa nằm trên nhiều khu: {Shares(Vi)}" : Shares(Vi),
            significant.Count == 0 ? "the parcel lies in no planning zone" : significant.Count > 1 ? $"the parcel lies across several zones: {Shares(En)}" : Shares(En)));

        // 8. Road widening or public works over the parcel.
        var conflicts = zones.Where(x => rules.ConflictZoneUses.Contains(x.PlannedUse.Split('+')[0]) && x.AreaM2 > 0.05).ToList();
        rows.Add(new("planning_conflict", "Quy hoạch giao thông/công trình công cộng trên thửa", A(conflicts.Sum(x => x.AreaM2)), 0, "m²",
            conflicts.Count == 0 ? "pass" : conflicts.Any(x => x.FootprintAreaM2 > rules.RedLineToleranceM2) ? "fail" : "review",
            rules.ConflictReference,
            conflicts.Count == 0 ? null : string.Join("; ", conflicts.Select(x => Vi($"{x.ZoneCode} ({x.PlannedUse}) {A(x.AreaM2)} m² của thửa, {A(x.FootprintAreaM2)} m² dưới công trình"))),
            conflicts.Count == 0 ? null : string.Join("; ", conflicts.Select(x => En($"{x.ZoneCode} ({x.PlannedUse}) {A(x.AreaM2)} m² of the parcel, {A(x.FootprintAreaM2)} m² under the building")))));

        var verdict = rows.Any(x => x.Result == "fail") ? "fail" : rows.Any(x => x.Result == "review") ? "review" : "pass";
        return new PermitResult(verdict, rules.Version, rules.Name, id, sheet, no, $"EPSG:{srid}", rows);
    }
}
