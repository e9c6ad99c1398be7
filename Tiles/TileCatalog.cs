namespace WardMap.Tiles;

/// <summary>The layers WardMap serves as vector tiles, with their zoom rules. Public unless a field says otherwise.</summary>
public static class TileCatalog
{
    static TileField F(string name, string type, string description, int minZoom = 0, string? sql = null) => new(name, type, description, minZoom, false, sql);
    static TileField Personal(string name, string description, int minZoom = 16) => new(name, "String", description, minZoom, true);

    static TileLayer AssetKind(string name, string kind, string description, int minZoom, int thinBelow, string geometryType = "point") =>
        new(name, "assets", "assets", description, minZoom, 22,
            [F("kind", "String", "asset kind"), F("code", "String", "asset code"), F("name", "String", "name"), F("status", "String", "active, broken, maintenance, planned, removed")],
            Where: $"t.kind = '{kind}'", ThinPointsBelow: thinBelow, GeometryType: geometryType, Kind: kind);

    public static readonly IReadOnlyList<TileLayer> All =
    [
        new("ward_boundary", "ward_boundary", "ward_boundary", "the ward's outline", 0, 22,
            [F("code", "String", "ward code (QĐ 19/2025/QĐ-TTg)"), F("name", "String", "ward name")], SimplifyBelow: 13),
        // From z15: at z14 a tile would hold ~6,000 parcels (400 KB); zones and groups draw the ward there.
        new("parcels", "parcels", "parcels", "cadastral parcels (thửa đất)", 15, 22,
        [
            F("land_use", "String", "land-use code, compound as ODT+CLN"),
            F("sheet_no", "Number", "map sheet (tờ bản đồ)", 16),
            F("parcel_no", "Number", "parcel number (số thửa)", 16),
            F("legal_area_m2", "Number", "legal area, m², in the parcel's VN-2000 TM-3 zone", 16, "t.legal_area_m2::float8"),
            F("address", "String", "address", 17),
            Personal("owner_name", "owner (officers only)"),
            Personal("owner_id", "owner's ID number (officers only)"),
            Personal("certificate_no", "land-use right certificate (officers only)"),
        ], SimplifyBelow: 16),
        new("zones", "zones", "zones", "planning zones (quy hoạch) with their indicators", 11, 22,
        [
            F("zone_code", "String", "zone code"), F("planned_use", "String", "planned land use"), F("name", "String", "name", 13),
            F("max_density_pct", "Number", "maximum building density, %", 14, "t.max_density_pct::float8"),
            F("max_floors", "Number", "maximum floors", 14), F("max_height_m", "Number", "maximum height, m", 14, "t.max_height_m::float8"),
            F("far", "Number", "floor-area ratio", 14, "t.far::float8"), F("setback_m", "Number", "setback from the red line, m", 14, "t.setback_m::float8"),
            F("plan_ref", "String", "plan decision", 15),
        ], SimplifyBelow: 14),
        new("red_lines", "red_lines", "red_lines", "red lines and protected corridors (chỉ giới đường đỏ, hành lang)", 13, 22,
            [F("code", "String", "code"), F("kind", "String", "red_line, road_widening, protected_corridor, building_line"), F("name", "String", "name", 15),
             F("width_m", "Number", "width, m", 15, "t.width_m::float8")], SimplifyBelow: 15),
        new("roads", "roads", "roads", "road centre lines", 10, 22,
            [F("name", "String", "street name"), F("class", "String", "main or secondary"), F("width_m", "Number", "width, m", 14, "t.width_m::float8")],
            SimplifyBelow: 14, LowZoomWhere: "t.class = 'main'", LowZoomBelow: 13, GeometryType: "line"),
        new("groups", "residential_groups", "residential_groups", "residential groups (tổ dân phố)", 11, 22,
            [F("code", "String", "group code"), F("name", "String", "name"), F("population", "Number", "population"), F("households", "Number", "households")],
            SimplifyBelow: 14),
        new("zone_labels", "zones", "zones", "one label point inside each planning zone", 13, 22,
            [F("zone_code", "String", "zone code"), F("planned_use", "String", "planned land use")], GeometryType: "point", LabelPoints: true),
        // Parcel numbers: a parcel cut by a tile edge would get its number once per piece.
        new("parcel_labels", "parcels", "parcels", "one label point inside each parcel (its number)", 17, 22,
            [F("sheet_no", "Number", "map sheet (tờ bản đồ)"), F("parcel_no", "Number", "parcel number (số thửa)")], GeometryType: "point", LabelPoints: true),
        new("group_labels", "residential_groups", "residential_groups", "one label point inside each residential group", 11, 22,
            [F("code", "String", "group code"), F("name", "String", "name")], GeometryType: "point", LabelPoints: true),
        new("assets", "assets", "assets", "all infrastructure assets", 14, 22,
            [F("kind", "String", "asset kind"), F("code", "String", "asset code"), F("name", "String", "name", 16), F("status", "String", "status")],
            ThinPointsBelow: 16, GeometryType: "mixed"),
        AssetKind("lights", "light", "street lights", 15, 17),
        AssetKind("cameras", "camera", "security cameras", 13, 0),
        AssetKind("loudspeakers", "loudspeaker", "loudspeaker clusters (cụm loa)", 13, 0),
        AssetKind("wifi", "wifi", "public Wi-Fi points", 13, 0),
        AssetKind("schools", "school", "schools", 12, 0),
        AssetKind("led_screens", "led_screen", "LED screens", 13, 0),
        AssetKind("drains", "drain", "drains", 14, 0, "line"),
        new("field_reports", "field_reports", "field_reports", "residents' field reports (phản ánh hiện trường)", 12, 22,
            [F("public_id", "String", "report id", 0, "t.public_id::text"), F("category", "String", "category"), F("status", "String", "new, accepted, in_progress, resolved, rejected"),
             F("overdue", "String", "acceptance or resolution: the deadline it is past (absent when on time)", 0, "report_overdue_for(t.status, t.accept_due_at, t.due_at)"),
             F("created_at", "String", "when it was sent (ISO 8601)", 14, "to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")],
            GeometryType: "point", GeometryColumn: "location"),
    ];

    static readonly Dictionary<string, TileLayer> ByName = All.ToDictionary(l => l.Name);

    public static TileLayer? Find(string name) => ByName.GetValueOrDefault(name);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<TileLayer>> Resolved = new();

    /// <summary>Splits "parcels,zones" into catalogue layers; null and the offending name when one is unknown or repeated.</summary>
    /// <summary>The layers of a comma list, or why not, in English and Vietnamese (an IOC widget shows it).</summary>
    public static (IReadOnlyList<TileLayer>? Layers, (string En, string Vi)? Error) Resolve(string list)
    {
        if (Resolved.TryGetValue(list, out var known)) return (known, null);   // the hot path: a layer set seen before
        var (layers, error) = Parse(list);
        if (layers is not null && Resolved.Count < 1000) Resolved[list] = layers;
        return (layers, error);
    }

    static (IReadOnlyList<TileLayer>? Layers, (string En, string Vi)? Error) Parse(string list)
    {
        var names = list.Split(',');
        if (names.Length > 12) return (null, ("at most 12 layers in one tile", "tối đa 12 lớp trong một tile"));
        var layers = new List<TileLayer>();
        foreach (var n in names)
        {
            if (Find(n) is not { } layer)
                return (null, n.Length == 0 ? ("an empty layer name", "có tên lớp để trống") : ($"unknown layer '{Truncate(n)}'", $"không có lớp '{Truncate(n)}'"));
            if (layers.Contains(layer)) return (null, ($"layer '{n}' named twice", $"lớp '{n}' được nêu hai lần"));
            layers.Add(layer);
        }
        return (layers, null);
    }

    static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
