namespace WardMap.Tiles;

/// <summary>An attribute a tile layer carries: its column (or SQL expression over the table) and from which zoom.</summary>
public sealed record TileField(string Name, string Type, string Description, int MinZoom = 0, bool PersonalData = false, string? Sql = null)
{
    /// <summary>The SQL that yields the value, over the table alias <c>t</c>.</summary>
    public string Expression => Sql ?? $"t.{Name}";
}

/// <summary>
/// One layer of the catalogue: which table, which rows, which attributes at which zoom, how to thin it.
/// Every identifier in tile SQL comes from here, never from a request.
/// </summary>
public sealed record TileLayer(
    string Name,
    string Table,
    string DataVersionOf,
    string Description,
    int MinZoom,
    int MaxZoom,
    TileField[] Fields,
    string? Where = null,
    /// <summary>Below this zoom, polygons and lines are simplified to the tile's pixel size.</summary>
    int SimplifyBelow = 0,
    /// <summary>Below this zoom, points are thinned to one per 8x8-pixel cell.</summary>
    int ThinPointsBelow = 0,
    /// <summary>Below this zoom, only rows matching this SQL are drawn (e.g. main roads).</summary>
    string? LowZoomWhere = null,
    int LowZoomBelow = 0,
    string GeometryType = "polygon",
    string GeometryColumn = "geom",
    /// <summary>
    /// One point inside each polygon (ST_PointOnSurface) instead of the polygon: a label layer. MapLibre labels a
    /// polygon once per tile it crosses; a point lies in one tile, so the label appears once.
    /// </summary>
    bool LabelPoints = false,
    /// <summary>The asset kind a layer of one kind shows (cameras: camera); its rows are the assets table's of that kind.</summary>
    string? Kind = null);
