namespace WardMap.Tiles;

/// <summary>
/// MapLibre style documents for the Viewer, widgets and any MapLibre/Mapsui client: one composite vector
/// source for the ward's layers (one request per tile), no external basemap or CDN (the ward's intranet has
/// none), glyphs served by WardMap itself. Land-use colours come from the land_use_codes table (the map legend).
/// </summary>
public static class Styles
{
    public static readonly string[] Names = ["base", "cadastral", "planning", "ioc"];
    public const string Font = "DejaVu Sans Book";

    /// <summary>Field-report status colours (IOC): new red, accepted orange, in progress blue, resolved green, rejected grey.</summary>
    public static readonly (string Status, string Color)[] ReportStatusColors =
        [("new", "#e53935"), ("accepted", "#fb8c00"), ("in_progress", "#1e88e5"), ("resolved", "#43a047"), ("rejected", "#9e9e9e")];
    /// <summary>The ring of an overdue report: thick and dark, so it reads on every status colour (a red one would not on new).</summary>
    public const string OverdueRing = "#111111";

    static readonly string[] SourceLayers = ["ward_boundary", "groups", "group_labels", "zones", "zone_labels", "parcels", "parcel_labels", "red_lines", "roads", "assets"];

    /// <summary>The styles' composite source, as a {layers} list: what the Viewer asks for (the bench, the seeder and tests use it).</summary>
    public static readonly string CompositeLayers = string.Join(",", SourceLayers);

    /// <summary>
    /// Field reports change by the minute, so the IOC style reads them from a source of their own: inside the
    /// composite, every report would drop every cached tile of the map and make each open widget reload them all.
    /// </summary>
    public const string ReportsSource = "reports";

    /// <summary>The asset kinds a widget asks for by name (cameras, drains...), from their own catalogue layers.</summary>
    public const string KindsSource = "kinds";

    /// <summary>One layer of a style: the catalogue layer it draws (null: the background) and the styles it is in.</summary>
    sealed record Drawing(string? Data, string[] In, Dictionary<string, object> Layer);

    /// <summary>
    /// The style called <paramref name="name"/>; with <paramref name="only"/>, just those catalogue layers (and the
    /// ward's outline), each one the style has no layer for drawn as the first style that has one draws it
    /// (parcels in the IOC style as in the cadastral one), asset kinds as filtered asset points. The IOC widget
    /// asks for this: <c>/widget?layers=parcels,cameras&amp;style=ioc</c>.
    /// </summary>
    public static object? For(string name, string baseUrl, WardExtent extent, IReadOnlyDictionary<string, string> landUseColors, IReadOnlyList<TileLayer>? only = null,
        bool english = false)
    {
        if (!Names.Contains(name)) return null;
        // Parcels under the planner's zones are pale; on their own (cadastral, or asked into another style) strong.
        var all = Drawings(name is "planning" ? 0.35 : 0.85, landUseColors);
        var chosen = all.Where(d => d.Data is null || d.In.Contains(name)).ToList();
        if (only is not null)
        {
            // Label points go with their polygons (the layer of the same table): asking for groups draws their names too.
            var wanted = only.Select(l => l.LabelPoints ? TileCatalog.All.First(p => p.Table == l.Table && !p.LabelPoints).Name : l.Name)
                .Append("ward_boundary").ToHashSet();
            var drawn = chosen.Select(d => d.Data).ToHashSet();
            foreach (var missing in wanted.Where(w => !drawn.Contains(w)))
            {
                var from = Names.FirstOrDefault(s => all.Any(d => d.Data == missing && d.In.Contains(s)));
                chosen.AddRange(all.Where(d => d.Data == missing && (from is null ? d.In.Length == 0 : d.In.Contains(from))));
            }
            chosen = all.Where(d => chosen.Contains(d) && (d.Data is null || wanted.Contains(d.Data))).ToList();   // in drawing order
        }

        object Source(string layerList) => TileJson.Source(TileCatalog.Resolve(layerList).Layers!, baseUrl, extent, english);
        var sources = new Dictionary<string, object> { ["ward"] = Source(CompositeLayers) };
        if (chosen.Any(d => Equals(d.Layer.GetValueOrDefault("source"), ReportsSource))) sources[ReportsSource] = Source("field_reports");
        var kinds = chosen.Where(d => Equals(d.Layer.GetValueOrDefault("source"), KindsSource)).Select(d => d.Data!).ToList();
        if (kinds.Count > 0) sources[KindsSource] = Source(string.Join(",", kinds));
        return new Dictionary<string, object?>
        {
            ["version"] = 8,
            ["name"] = $"WardMap {name}",
            ["metadata"] = new Dictionary<string, object> { ["wardmap:style"] = name },
            ["center"] = new[] { extent.Center(15)[0], extent.Center(15)[1] },
            ["zoom"] = 15,
            ["glyphs"] = $"{baseUrl}/fonts/{{fontstack}}/{{range}}.pbf",
            ["sources"] = sources,
            ["layers"] = chosen.Select(d => d.Layer).ToArray(),
        };
    }

    /// <summary>
    /// Every layer of every style, in drawing order. Each names the catalogue layer it draws in its metadata
    /// (<c>wardmap:layer</c>), so a page can find how a layer is drawn (the widget's highlight does).
    /// </summary>
    static List<Drawing> Drawings(double parcelOpacity, IReadOnlyDictionary<string, string> landUseColors)
    {
        string[] every = Names, planning = ["planning"], parcels = ["cadastral", "planning"], points = ["ioc", "base"];
        var list = new List<Drawing>();
        void Add(string? data, string[] styles, Dictionary<string, object> layer, string? kind = null)
        {
            if (data is not null) layer["metadata"] = kind is null
                ? new Dictionary<string, object> { ["wardmap:layer"] = data }
                : new Dictionary<string, object> { ["wardmap:layer"] = data, ["wardmap:kind"] = kind };   // an asset kind: its table is assets
            list.Add(new(data, styles, layer));
        }
        var landUse = LandUseColor(landUseColors);

        Add(null, every, new() { ["id"] = "background", ["type"] = "background", ["paint"] = new Dictionary<string, object> { ["background-color"] = "#f4f1ea" } });
        // Every style starts from the base: groups, roads, ward outline.
        Add("groups", every, Fill("groups-fill", "groups", "#ffffff", 0.5));
        Add("parcels", parcels, Fill("parcels-fill", "parcels", landUse, parcelOpacity, outline: ("#7a6a58", 15)));
        Add("zones", planning, Fill("zones-fill", "zones", LandUseColor(landUseColors, "planned_use"), 0.45));
        Add("zones", planning, Line("zones-line", "zones", "#5d4037", 1.5));
        Add("red_lines", planning, Fill("red-lines-fill", "red_lines", "#e53935", 0.35));
        Add("red_lines", planning, Line("red-lines-line", "red_lines", "#c62828", 1.2));
        Add("roads", every, Line("roads-casing", "roads", "#b0a898", RoadWidth(2)));
        Add("roads", every, Line("roads", "roads", "#ffffff", RoadWidth(0)));
        Add("groups", every, Line("groups-line", "groups", "#8d6e63", 1, dash: [3, 2]));
        Add("ward_boundary", every, Line("ward-line", "ward_boundary", "#6a1b9a", 2.5));
        var assetsFrom = TileCatalog.Find("assets")!.MinZoom;   // the composite source carries assets from this zoom
        Add("assets", points, OutOfServiceRing(Circle("assets", "assets", AssetColor(), 3, minzoom: assetsFrom)));
        // One kind of asset (cameras, drains...): in no style, drawn when a widget asks for that kind alone, from the
        // kind's own tiles (a source of the kinds asked for): those start zooms before the composite's assets do, so a
        // wall screen showing the whole ward shows its 54 cameras too, not only once zoomed to a street.
        foreach (var kind in TileCatalog.All.Where(l => l.Kind is not null))
        {
            var layer = kind.GeometryType == "line"
                ? Line($"assets-{kind.Name}", kind.Name, AssetColor(), 2, minzoom: kind.MinZoom)
                : OutOfServiceRing(Circle($"assets-{kind.Name}", kind.Name, AssetColor(), 4, minzoom: kind.MinZoom));
            layer["source"] = KindsSource;
            Add(kind.Name, [], layer, kind.Kind);
        }
        // A report past a deadline (acknowledgement or handling) is ringed in red: what the IOC chases first.
        var reports = Circle("field-reports", "field_reports", ReportColor(), 6, stroke: "#ffffff", source: ReportsSource);
        var paint = (Dictionary<string, object>)reports["paint"];
        paint["circle-stroke-color"] = new object[] { "case", new object[] { "has", "overdue" }, OverdueRing, "#ffffff" };
        paint["circle-stroke-width"] = new object[] { "case", new object[] { "has", "overdue" }, 3, 1.5 };
        Add("field_reports", ["ioc"], reports);
        // Labels: street names, parcel numbers, group names, zone codes.
        Add("roads", every, Label("roads-label", "roads", new object[] { "get", "name" }, 11, placement: "line", minzoom: 14));
        Add("parcels", parcels, Label("parcels-label", "parcel_labels", new object[] { "to-string", new object[] { "get", "parcel_no" } }, 10, minzoom: 17));
        Add("groups", every, Label("groups-label", "group_labels", new object[] { "get", "name" }, 12, minzoom: 13, maxzoom: 16));
        // Zone labels go above group labels: MapLibre places the upper layer first, and a planner reads zones.
        Add("zones", planning, Label("zones-label", "zone_labels", new object[] { "concat", new object[] { "get", "zone_code" }, "\n", new object[] { "get", "planned_use" } }, 12, minzoom: 13));
        return list;
    }

    static object LandUseColor(IReadOnlyDictionary<string, string> colors, string field = "land_use")
    {
        // The first code of a compound one (ODT+CLN -> ODT) picks the colour.
        var match = new List<object> { "match", new object[] { "slice", new object[] { "coalesce", new object[] { "get", field }, "" }, 0, 3 } };
        foreach (var (code, color) in colors.OrderBy(c => c.Key)) { match.Add(code); match.Add(color); }
        match.Add("#dddddd");
        return match.ToArray();
    }

    /// <summary>A broken asset, or one under maintenance, ringed in red: the IOC sees which lights are out without a click.</summary>
    static Dictionary<string, object> OutOfServiceRing(Dictionary<string, object> circle)
    {
        var paint = (Dictionary<string, object>)circle["paint"];
        object OutOfService(object yes, object no) => new object[] { "match", new object[] { "get", "status" }, new[] { "broken", "maintenance" }, yes, no };
        paint["circle-stroke-color"] = OutOfService(OutOfServiceColor, "#ffffff");
        paint["circle-stroke-width"] = OutOfService(2, 0);
        return circle;
    }

    public const string OutOfServiceColor = "#d50000";

    static object AssetColor() => new object[]
    {
        "match", new object[] { "get", "kind" },
        "light", "#fbc02d", "camera", "#3949ab", "loudspeaker", "#8e24aa", "wifi", "#00897b", "school", "#d81b60", "led_screen", "#f4511e", "drain", "#546e7a",
        "#757575",
    };

    static object ReportColor()
    {
        var match = new List<object> { "match", new object[] { "get", "status" } };
        foreach (var (status, color) in ReportStatusColors) { match.Add(status); match.Add(color); }
        match.Add("#000000");
        return match.ToArray();
    }

    static object RoadWidth(double extra) => new object[]
    {
        "interpolate", new object[] { "exponential", 2 }, new object[] { "zoom" },
        12, new object[] { "*", new object[] { "coalesce", new object[] { "get", "width_m" }, 8 }, 0.05 + extra * 0.01 },
        18, new object[] { "+", new object[] { "*", new object[] { "coalesce", new object[] { "get", "width_m" }, 8 }, 2.6 }, extra },
    };

    // MapLibre's antialiased fill edge draws every edge a second time (two more shader programs); fills whose
    // outline is a line layer of its own leave it off. Parcels are the exception: their boundaries are the
    // fill's own 1-pixel edge from `outline.FromZoom` on, not a line layer, because a line layer over
    // 25,000 parcels doubles the worker's tile work and every frame's drawing (a first draw ~0.2 s sooner).
    static Dictionary<string, object> Fill(string id, string sourceLayer, object color, double opacity, (string Color, int FromZoom)? outline = null)
    {
        var paint = new Dictionary<string, object> { ["fill-color"] = color, ["fill-opacity"] = opacity, ["fill-antialias"] = false };
        if (outline is { } o)
        {
            paint["fill-antialias"] = new object[] { "step", new object[] { "zoom" }, false, o.FromZoom, true };
            paint["fill-outline-color"] = o.Color;
        }
        return new() { ["id"] = id, ["type"] = "fill", ["source"] = "ward", ["source-layer"] = sourceLayer, ["paint"] = paint };
    }

    static Dictionary<string, object> Line(string id, string sourceLayer, object color, object width, int? minzoom = null, double[]? dash = null)
    {
        var paint = new Dictionary<string, object> { ["line-color"] = color, ["line-width"] = width };
        if (dash is not null) paint["line-dasharray"] = dash;
        var layer = new Dictionary<string, object> { ["id"] = id, ["type"] = "line", ["source"] = "ward", ["source-layer"] = sourceLayer, ["paint"] = paint };
        if (minzoom is not null) layer["minzoom"] = minzoom;
        return layer;
    }

    static Dictionary<string, object> Circle(string id, string sourceLayer, object color, double radius, int? minzoom = null, string? stroke = null, string source = "ward")
    {
        var paint = new Dictionary<string, object> { ["circle-color"] = color, ["circle-radius"] = radius };
        if (stroke is not null) { paint["circle-stroke-color"] = stroke; paint["circle-stroke-width"] = 1.5; }
        var layer = new Dictionary<string, object> { ["id"] = id, ["type"] = "circle", ["source"] = source, ["source-layer"] = sourceLayer, ["paint"] = paint };
        if (minzoom is not null) layer["minzoom"] = minzoom;
        return layer;
    }

    static Dictionary<string, object> Label(string id, string sourceLayer, object text, double size, string placement = "point", int? minzoom = null, int? maxzoom = null)
    {
        var layer = new Dictionary<string, object>
        {
            ["id"] = id, ["type"] = "symbol", ["source"] = "ward", ["source-layer"] = sourceLayer,
            ["layout"] = new Dictionary<string, object>
            {
                ["text-field"] = text, ["text-font"] = new[] { Font }, ["text-size"] = size, ["symbol-placement"] = placement,
            },
            ["paint"] = new Dictionary<string, object> { ["text-color"] = "#37474f", ["text-halo-color"] = "#ffffff", ["text-halo-width"] = 1.2 },
        };
        if (minzoom is not null) layer["minzoom"] = minzoom;
        if (maxzoom is not null) layer["maxzoom"] = maxzoom;
        return layer;
    }

}
