using System.Globalization;
using System.Text.Json;
using CsvHelper;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Valid;
using NpgsqlTypes;
using WardMap.Importers.Crs;
using WardMap.Importers.Layers;
using WardMap.Importers.Sources;

namespace WardMap.Importers;

public sealed record StagedColumn(string Name, string SqlType, NpgsqlDbType DbType);

/// <summary>
/// Turns one source row into one staged row of a layer, or rejects it with the row, field and reason.
/// Geometry is checked and repaired in the source CRS, measured in TM-3, then reprojected to EPSG:4326.
/// </summary>
public sealed class RowConverter
{
    readonly LayerSpec _spec;
    readonly FieldMapping _map;
    readonly IReadOnlyList<string> _sourceFields;
    readonly ReferenceData _ref;
    readonly ImportRequest _request;
    readonly ImportReport _report;
    /// <summary>The file read; its name goes with each row issue when the import reads several.</summary>
    readonly string _file;
    readonly string? _issueFile;
    /// <summary>Natural keys loaded so far (from this file or an earlier one of the same import), with the row that brought each.</summary>
    readonly Dictionary<string, (string File, long Row)> _firstRowOfKey;
    long _rows;
    readonly Dictionary<string, (int? Population, int? Households)>? _population;
    readonly HashSet<string> _groupsSeen = new();
    long _outside;
    double _outsideMetresSum;
    Point? _firstOutside;

    public IReadOnlyList<StagedColumn> StagedColumns { get; }

    public RowConverter(LayerSpec spec, FieldMapping map, IReadOnlyList<string> sourceFields, ReferenceData reference,
        ImportRequest request, ImportReport report, string? file = null, bool nameFileInIssues = false, Dictionary<string, (string File, long Row)>? keys = null)
    {
        (_spec, _map, _sourceFields, _ref, _request, _report) = (spec, map, sourceFields, reference, request, report);
        _file = file ?? request.File;
        _issueFile = nameFileInIssues ? Path.GetFileName(_file) : null;
        _firstRowOfKey = keys ?? new();
        var cols = spec.Fields.Select(f => new StagedColumn(f.Column, f.SqlType, f.DbType)).ToList();
        if (spec.IsParcels)
        {
            cols.Add(new("land_use_source", "text", NpgsqlDbType.Text));
            cols.Add(new("legal_area_m2", "numeric", NpgsqlDbType.Numeric));
        }
        if (spec.KeepsOtherFieldsAsJson) cols.Add(new("attributes", "jsonb", NpgsqlDbType.Jsonb));
        cols.Add(new("source_srid", "integer", NpgsqlDbType.Integer));
        cols.Add(new("geom", "geometry", NpgsqlDbType.Geometry));
        StagedColumns = cols;
        _stagedIndex = cols.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i);
        _colIndex = spec.Fields.Select((f, i) => (f.Column, i)).ToDictionary(x => x.Column, x => x.i);
        _keyCols = spec.NaturalKey.Select(k => _colIndex[k]).ToArray();
        if (spec.Name == "groups" && request.PopulationCsv is not null) _population = ReadPopulation(request.PopulationCsv);
    }

    public LayerSpec Spec => _spec;

    /// <summary>
    /// The staged columns this file gives a value to: the fields it maps (a source field, a constant, the population
    /// CSV's) and what the importer derives from every row (geometry, measures). An update by key writes only these.
    /// </summary>
    public IEnumerable<string> ProvidedColumns => StagedColumns.Select(c => c.Name).Where(c =>
        !_colIndex.TryGetValue(c, out var f) || _map.SourceIndex[f] >= 0 || _map.Constants[f] is not null
        || (_population is not null && c is "population" or "households"));
    int Col(string name) => _colIndex[name];
    readonly Dictionary<string, int> _colIndex;
    readonly int[] _keyCols;
    int Staged(string name) => _stagedIndex[name];
    readonly Dictionary<string, int> _stagedIndex;

    /// <summary>The natural key of a staged row, as <see cref="Importer"/> matches it to the live table's ids.</summary>
    public string KeyOf(object?[] staged) => JoinKey(_keyCols.Select(i => staged[i]));

    /// <summary>A natural key's values as one string (the live table's keys are read into the same form).</summary>
    public static string JoinKey(IEnumerable<object?> values) => string.Join('\u001f', values.Select(v => System.Convert.ToString(v, CultureInfo.InvariantCulture)));

    /// <summary>The staged values, or null when the row was rejected (and recorded in the report).</summary>
    public object?[]? Convert(SourceRecord record, PreparedGeometry prepared)
    {
        _rows++;
        if (record.RowError is { } unreadable) return Reject(record.Row, null, unreadable);
        var values = new object?[StagedColumns.Count];
        // 1. Attributes, by the mapping.
        for (int f = 0; f < _spec.Fields.Length; f++)
        {
            var field = _spec.Fields[f];
            var src = _map.SourceIndex[f];
            object? raw = src >= 0 ? record.Values[src] : _map.Constants[f];
            var name = src >= 0 ? _sourceFields[src] : field.Column;
            if (raw is string s && s.Length == 0) raw = null;
            if (raw is null)
            {
                if (field.Required) return Reject(record.Row, name, new($"{field.Column} is empty", $"{field.Column} bị bỏ trống"));
                continue;
            }
            switch (field.Type)
            {
                case FieldType.Int:
                    if (!TryNumber(raw, out var d) || d != Math.Floor(d) || d > int.MaxValue || d < int.MinValue)
                        return Reject(record.Row, name, new($"'{raw}' is not a whole number", $"'{raw}' không phải số nguyên"), raw.ToString());
                    values[f] = (int)d;
                    break;
                case FieldType.Decimal:
                    if (!TryNumber(raw, out var n) || double.IsNaN(n) || double.IsInfinity(n))
                        return Reject(record.Row, name, new($"'{raw}' is not a number", $"'{raw}' không phải là số"), raw.ToString());
                    if (n < 0) return Reject(record.Row, name, new($"{n} is negative", $"{n} là số âm"), raw.ToString());
                    values[f] = (decimal)n;
                    break;
                default:
                    values[f] = System.Convert.ToString(raw, CultureInfo.InvariantCulture)!.Trim();
                    break;
            }
        }

        // 2. Layer rules.
        if (_spec.LandUseColumn is { } luCol)
        {
            int i = Col(luCol);
            var received = (string)values[i]!;
            var (code, error, converted) = NormaliseLandUse(received);
            if (error is not null) return Reject(record.Row, SourceName(i), error, received);
            if (converted)
            {
                if (_spec.IsParcels) values[Staged("land_use_source")] = received;   // keep what was received
                _report.Flagged.Add(new RowIssue(record.Row, SourceName(i),
                    new($"legacy land-use code converted to {code}", $"mã loại đất cũ, đã đổi sang {code}"), received, _issueFile));
            }
            values[i] = code;
        }
        if (_spec.Name == "assets")
        {
            int k = Col("kind");
            var kind = AssetKinds.Kind((string)values[k]!);
            if (kind is null) return Reject(record.Row, SourceName(k), new($"unknown asset kind '{values[k]}' (light, camera, loudspeaker, wifi, school, led_screen, drain, …)",
                $"loại hạ tầng '{values[k]}' không có trong danh mục (đèn chiếu sáng, camera, cụm loa, điểm wifi, trường học, màn hình LED, cống thoát nước, …)"), (string)values[k]!);
            values[k] = kind;
            int st = Col("status");
            if (values[st] is string status)
            {
                values[st] = AssetKinds.Status(status);
                if (values[st] is null) return Reject(record.Row, SourceName(st), new($"unknown status '{status}' (active, broken, maintenance, planned, removed)",
                    $"trạng thái '{status}' không có trong danh mục (hoạt động, hư hỏng, bảo trì, kế hoạch, đã gỡ)"), status);
            }
            else values[st] = "active";
            values[Staged("attributes")] = JsonSerializer.Serialize(
                _map.Unmapped.Where(u => record.Values[u] is not null).ToDictionary(u => _sourceFields[u], u => record.Values[u]));
        }
        if (_spec.Name == "red_lines")
        {
            int k = Col("kind");
            var kind = ((string)values[k]!).ToLowerInvariant() switch
            {
                "red_line" or "chigioiduongdo" or "cgdd" or "duongdo" => "red_line",
                "road_widening" or "morongduong" or "mo_rong_duong" => "road_widening",
                "protected_corridor" or "hanhlangbaove" or "hanh_lang" or "hanhlang" => "protected_corridor",
                "building_line" or "chigioixaydung" or "cgxd" => "building_line",
                var other => AssetKinds.Key(other) switch
                {
                    "chigioiduongdo" => "red_line", "morongduong" => "road_widening",
                    "hanhlangbaove" => "protected_corridor", "chigioixaydung" => "building_line", _ => null,
                },
            };
            if (kind is null) return Reject(record.Row, SourceName(k), new($"unknown red-line kind '{values[k]}' (red_line, road_widening, protected_corridor, building_line)",
                $"loại chỉ giới '{values[k]}' không có trong danh mục (chỉ giới đường đỏ, mở rộng đường, hành lang bảo vệ, chỉ giới xây dựng)"), (string)values[k]!);
            values[k] = kind;
        }
        if (_population is not null)
        {
            var code = (string)values[Col("code")]!;
            _groupsSeen.Add(code);
            if (_population.TryGetValue(code, out var pop))
            {
                if (pop.Population is not null) values[Col("population")] = pop.Population;
                if (pop.Households is not null) values[Col("households")] = pop.Households;
            }
        }

        // 3. Natural key: one row per key in an import, across its files.
        var key = KeyOf(values);
        if (!_firstRowOfKey.TryAdd(key, (_file, record.Row)))
        {
            var first = _firstRowOfKey[key];
            var (keyName, keyValue) = (string.Join("/", _spec.NaturalKey), key.Replace('\u001f', '/'));
            return Reject(record.Row, string.Join("/", _keyCols.Select(SourceName)), new(
                $"duplicate {keyName} {keyValue} (first at row {first.Row}{(first.File == _file ? "" : $" of {Path.GetFileName(first.File)}")})",
                $"trùng {keyName} {keyValue} (đã có ở dòng {first.Row}{(first.File == _file ? "" : $" của tệp {Path.GetFileName(first.File)}")})"),
                keyValue);
        }

        // 4. Geometry, prepared on the reading thread (see PrepareGeometry); here only what needs order.
        var g = prepared;
        if (g.Error is not null) { _firstRowOfKey.Remove(key); return Reject(record.Row, "geometry", g.Error, g.ErrorValue); }
        if (g.RepairNote is not null) _report.Repaired.Add(new RowIssue(record.Row, "geometry", g.RepairNote, null, _issueFile));
        if (_spec.IsParcels)
        {
            // A parcel on the map that comes again in lon/lat (an update from a GIS export) is measured in the TM-3 zone
            // it was surveyed in, not in the ward's: its register area and extract stay as they were (vn2000.md,
            // "Measurements").
            if (!g.MeasuredInFileCrs && _ref.ParcelZones?.TryGetValue(key, out var zone) == true && zone != g.MeasureSrid)
                g = g with { LegalArea = CrsRegistry.FromEpsg(zone).FromWgs84(g.Wgs84!).Area, MeasureSrid = zone };
            var legal = Math.Round(g.LegalArea, 1);
            values[Staged("legal_area_m2")] = (decimal)legal;
            if (values[Col("declared_area_m2")] is decimal declared)
            {
                var diff = Math.Abs((double)declared - legal);
                if (diff > 1.0 && diff > legal * _request.AreaTolerancePct / 100)
                    _report.Flagged.Add(new RowIssue(record.Row, SourceName(Col("declared_area_m2")),
                        new($"declared area {declared} m² differs from the area measured in EPSG:{g.MeasureSrid} ({legal:0.0} m²) by {diff / Math.Max(legal, 0.1) * 100:0.#} %",
                            $"diện tích kê khai {declared} m² lệch {diff / Math.Max(legal, 0.1) * 100:0.#} % so với diện tích đo trong EPSG:{g.MeasureSrid} ({legal:0.0} m²)"),
                        declared.ToString(CultureInfo.InvariantCulture), _issueFile));
            }
        }
        if (_ref.WardWithMargin is not null && !_ref.IsNearWard(g.Wgs84!))
        {
            var metres = _ref.Ward!.Distance(g.Wgs84!) * 111_320;
            _outside++;
            _outsideMetresSum += metres;
            _firstOutside ??= g.SourceVertex;
            _firstRowOfKey.Remove(key);
            return Reject(record.Row, "geometry", new($"outside the ward by {metres:0} m (margin {_request.OutsideMarginM:0} m)",
                $"nằm ngoài phường {metres:0} m (cho phép {_request.OutsideMarginM:0} m)"));
        }
        values[Staged("source_srid")] = g.MeasureSrid;
        values[Staged("geom")] = g.Wgs84;
        return values;
    }

    /// <summary>The geometry half of a row: checked, repaired, measured, reprojected.</summary>
    public sealed record PreparedGeometry(Geometry? Wgs84, double LegalArea, int MeasureSrid, Said? RepairNote, Point? SourceVertex,
        Said? Error = null, string? ErrorValue = null)
    {
        /// <summary>Measured in the file's own TM-3 zone (else in the ward's, from lon/lat).</summary>
        public bool MeasuredInFileCrs { get; init; }
    }

    /// <summary>
    /// Type, validity (repaired with a note), legal area in TM-3 and reprojection to EPSG:4326. Touches no
    /// shared state, so it runs on the reading thread while the previous rows are written.
    /// </summary>
    public PreparedGeometry PrepareGeometry(SourceRecord record, SourceCrs? crs)
    {
        if (record.Geometry is null) return Fail(record.GeometryError ?? SourceRecord.EmptyGeometry);
        if (crs is null) return Fail(new("no CRS", "không có hệ tọa độ"));
        var (coerced, typeError) = Coerce(record.Geometry);
        if (coerced is null) return Fail(typeError ?? SourceRecord.EmptyGeometry, record.Geometry.GeometryType);
        var geom = coerced;
        Said? repairNote = null;
        if (geom is IPolygonal && !QuickValidity.IsValid(geom))
        {
            var why = new IsValidOp(geom).ValidationError;
            var (repaired, _) = Coerce(GeometryFixer.Fix(geom));
            if (repaired is null || repaired.IsEmpty || repaired.Area <= 0)
                return Fail(new($"invalid polygon ({why?.Message}) that could not be repaired", $"vùng không hợp lệ ({Invalidity(why)}), không sửa được"));
            var at = $"({why?.Coordinate?.X:0.###}, {why?.Coordinate?.Y:0.###})";
            var change = crs.IsProjected ? $"{Math.Abs(geom.Area):0.0} -> {repaired.Area:0.0} m²" : null;
            repairNote = new($"{why?.Message ?? "invalid"} at {at} repaired" + (change is null ? "" : $"; area {change}"),
                             $"{Invalidity(why)} tại {at}, đã sửa" + (change is null ? "" : $"; diện tích {change}"));
            geom = repaired;
        }
        var measureSrid = crs.IsVn2000Tm3() ? crs.Srid : _request.MeasureSrid;
        double legal = _spec.IsParcels ? LegalArea(geom, crs) : 0;
        var firstVertex = geom.Factory.CreatePoint(geom.Coordinate.Copy());
        if (crs.IsProjected && !_spec.IsParcels) geom = PlanEdges.Densify(geom);   // parcels keep their surveyed vertices
        geom = crs.ToWgs84(geom);
        var env = geom.EnvelopeInternal;
        if (env.MinX < -180 || env.MaxX > 180 || env.MinY < -90 || env.MaxY > 90)
            return Fail(new($"coordinates outside longitude/latitude after reprojection from {crs}",
                $"tọa độ ra ngoài phạm vi kinh độ/vĩ độ sau khi chuyển từ {crs}"));
        return new PreparedGeometry(geom, legal, measureSrid, repairNote, firstVertex) { MeasuredInFileCrs = crs.IsVn2000Tm3() };

        static PreparedGeometry Fail(Said error, string? value = null) => new(null, 0, 0, null, null, error, value);
    }

    /// <summary>NetTopologySuite's reason a polygon is invalid, in the words a Vietnamese surveyor uses for it.</summary>
    static string Invalidity(TopologyValidationError? why) => why?.ErrorType switch
    {
        TopologyValidationErrors.SelfIntersection => "cạnh tự cắt nhau",
        TopologyValidationErrors.RingSelfIntersection => "vòng ranh tự cắt",
        TopologyValidationErrors.TooFewPoints => "quá ít đỉnh",
        TopologyValidationErrors.RingNotClosed => "vòng ranh không khép kín",
        TopologyValidationErrors.HoleOutsideShell => "lỗ thủng nằm ngoài vòng ngoài",
        TopologyValidationErrors.NestedHoles => "lỗ thủng lồng nhau",
        TopologyValidationErrors.NestedShells => "vòng ngoài lồng nhau",
        TopologyValidationErrors.DisconnectedInteriors => "phần trong bị tách rời",
        TopologyValidationErrors.DuplicateRings => "vòng ranh trùng nhau",
        TopologyValidationErrors.InvalidCoordinate => "tọa độ không hợp lệ",
        _ => "hình không hợp lệ",
    };

    /// <summary>After the last row: most rows outside the ward means a wrong CRS, not bad rows.</summary>
    public void CheckWholeFile(SourceCrs? crs)
    {
        if (_population is not null)
            foreach (var code in _population.Keys.Where(c => !_groupsSeen.Contains(c)))
                _report.Notes.Add(new($"population CSV names group '{code}', which the groups file does not have",
                    $"tệp dân số có tổ '{code}' mà tệp tổ dân phố không có"));
        if (_outside == 0 || _outside * 2 < _rows) return;
        var avg = _outsideMetresSum / _outside;
        Said hint = "";
        if (crs is { IsProjected: true } && _firstOutside is not null && _ref.Ward is not null)
        {
            foreach (var zone in CrsRegistry.Tm3Zones.Keys.Where(z => z != crs.Srid))
            {
                var (lon, lat) = CrsRegistry.FromEpsg(zone).ToWgs84(_firstOutside.X, _firstOutside.Y);
                var p = _ref.Ward.Factory.CreatePoint(new Coordinate(lon, lat));
                if (_ref.WardWithMargin!.Intersects(p))
                {
                    hint = new($"; in EPSG:{zone} it would land in the ward: pass --srs EPSG:{zone}",
                               $"; đọc theo EPSG:{zone} thì nằm trong phường: hãy chọn hệ tọa độ EPSG:{zone} (--srs)");
                    break;
                }
            }
            if (hint.En == "" && avg is > 120 and < 400)
                hint = new("; an offset of ~200 m is typical of 'VN-2000 nội bộ' data computed without the 7-parameter shift",
                           "; lệch khoảng 200 m là dấu hiệu của dữ liệu 'VN-2000 nội bộ', tính không qua phép chuyển 7 tham số");
        }
        throw new ImportException(_file, null, "geometry", new(
            $"{_outside} of {_rows} rows lie outside the ward (on average {avg:0} m away), so the file's CRS ({crs}) is probably wrong{hint.En}",
            $"{_outside} trên {_rows} dòng nằm ngoài phường (trung bình cách {avg:0} m), nên hệ tọa độ của tệp ({crs}) có lẽ sai{hint.In(true)}"));
    }

    double LegalArea(Geometry g, SourceCrs crs)
    {
        if (crs.IsVn2000Tm3()) return g.Area;
        // Not in a TM-3 zone: measure in the ward's zone (vn2000.md, "Measurements").
        var wgs = crs.IsWgs84 ? g : crs.ToWgs84(g.Copy());
        return CrsRegistry.FromEpsg(_request.MeasureSrid).FromWgs84(wgs).Area;
    }

    (Geometry? Geom, Said? Error) Coerce(Geometry g)
    {
        var f = g.Factory;
        switch (_spec.Geometry)
        {
            case GeometryKind.Polygon:
                if (g is MultiPolygon) return (g, null);
                if (g is Polygon p) return (f.CreateMultiPolygon([p]), null);
                if (g is GeometryCollection gc && gc.Geometries.All(x => x is Polygon or MultiPolygon || x.IsEmpty))
                {
                    var polys = gc.Geometries.SelectMany(x => x is MultiPolygon mp ? mp.Geometries.Cast<Polygon>() : x is Polygon pp ? [pp] : []).ToArray();
                    return polys.Length > 0 ? (f.CreateMultiPolygon(polys), null) : (null, SourceRecord.EmptyGeometry);
                }
                if (g is GeometryCollection mixed && mixed.Geometries.Any(x => x is Polygon or MultiPolygon))
                {   // what GeometryFixer leaves of a collapsed part: keep the polygons
                    var polys = mixed.Geometries.SelectMany(x => x is MultiPolygon mp ? mp.Geometries.Cast<Polygon>() : x is Polygon pp ? [pp] : []).ToArray();
                    return (f.CreateMultiPolygon(polys), null);
                }
                return (null, Expected("a polygon", "vùng (Polygon)"));
            case GeometryKind.Line:
                if (g is MultiLineString) return (g, null);
                if (g is LineString l) return (f.CreateMultiLineString([l]), null);
                return (null, Expected("a line", "đường (LineString)"));
            case GeometryKind.Point:
                if (g is Point) return (g, null);
                if (g is MultiPoint { NumGeometries: 1 } mp1) return (mp1.GetGeometryN(0), null);
                return (null, Expected("a point", "điểm (Point)"));
            default:
                return (g, null);
        }
        Said Expected(string en, string vi) => new($"expected {en}, got a {g.GeometryType}", $"lớp này cần {vi}, tệp có {g.GeometryType}");
    }

    (string Code, Said? Error, bool Converted) NormaliseLandUse(string text)
    {
        var parts = text.ToUpperInvariant().Split(['+', ',', ';', '/', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return ("", new("empty land-use code", "mã loại đất trống"), false);
        bool converted = false;
        for (int i = 0; i < parts.Length; i++)
        {
            if (_ref.LandUseCodes.Contains(parts[i])) continue;
            if (_ref.LegacyCodes.TryGetValue(parts[i], out var current)) { parts[i] = current; converted = true; continue; }
            return ("", new($"unknown land-use code '{parts[i]}' (not in Thông tư 08/2024 nor the legacy table)",
                $"mã loại đất '{parts[i]}' không có trong Thông tư 08/2024 hay bảng mã cũ"), false);
        }
        return (string.Join("+", parts.Distinct()), null, converted);
    }

    string SourceName(int specIndex) => _map.SourceIndex[specIndex] >= 0 ? _sourceFields[_map.SourceIndex[specIndex]] : _spec.Fields[specIndex].Column;

    object?[]? Reject(long row, string? field, Said reason, string? value = null)
    {
        _report.Rejected.Add(new RowIssue(row, field, reason, value, _issueFile));
        return null;
    }

    static bool TryNumber(object raw, out double value)
    {
        switch (raw)
        {
            case double d: value = d; return true;
            case float fl: value = fl; return true;
            case decimal m: value = (double)m; return true;
            case int i: value = i; return true;
            case long l: value = l; return true;
            case short sh: value = sh; return true;
            case string s:
                s = s.Trim().Replace(" ", "");
                // Vietnamese decimal comma: "123,5" (and "1.234,5")
                if (s.Contains(',') && !s.Contains('.')) s = s.Replace(',', '.');
                else if (s.Contains(',') && s.Contains('.') && s.LastIndexOf(',') > s.LastIndexOf('.')) s = s.Replace(".", "").Replace(',', '.');
                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            default: value = 0; return false;
        }
    }

    Dictionary<string, (int?, int?)> ReadPopulation(string path)
    {
        if (!File.Exists(path)) throw new ImportException(path, null, null, new("the population CSV does not exist", "không có tệp dân số (CSV) này"));
        var result = new Dictionary<string, (int?, int?)>();
        using var reader = new CsvReader(new StreamReader(path), CultureInfo.InvariantCulture);
        if (!reader.Read() || !reader.ReadHeader()) throw new ImportException(path, 1, null, new("the population CSV has no header", "tệp dân số (CSV) không có dòng tiêu đề"));
        var header = reader.HeaderRecord!;
        int Find(params string[] names) => Array.FindIndex(header, h => names.Contains(AssetKinds.Key(h)));
        int code = Find("code", "mato", "matdp"), pop = Find("population", "danso", "sonhankhau"), hh = Find("households", "soho", "sohodan");
        if (code < 0) throw new ImportException(path, 1, "code", new("the population CSV needs a group code column (code or MaTo)",
            "tệp dân số cần một cột mã tổ (code hoặc MaTo)"));
        if (pop < 0 && hh < 0) throw new ImportException(path, 1, "population", new("the population CSV needs a population (DanSo) or households (SoHo) column",
            "tệp dân số cần cột dân số (DanSo) hoặc số hộ (SoHo)"));
        long row = 1;
        var firstRow = new Dictionary<string, long>();
        while (reader.Read())
        {
            row++;
            if (Sources.CsvSource.WidthProblem(reader, header.Length) is { } width) throw new ImportException(path, row, null, width);
            int? Int(int col, string name)
            {
                if (col < 0) return null;
                var s = reader.GetField(col);
                if (string.IsNullOrWhiteSpace(s)) return null;
                return int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
                    : throw new ImportException(path, row, header[col], new($"'{s}' is not a non-negative whole number", $"'{s}' không phải số nguyên không âm"));
            }
            var group = reader.GetField(code)!.Trim();
            if (firstRow.TryGetValue(group, out var first))
                throw new ImportException(path, row, header[code], new($"group {group} is already at row {first}: which population is right?",
                    $"tổ {group} đã có ở dòng {first}: số dân nào mới đúng?"));
            firstRow[group] = row;
            result[group] = (Int(pop, "population"), Int(hh, "households"));
        }
        _report.Notes.Add(new($"population and households joined by group code from {Path.GetFileName(path)} ({result.Count} groups)",
            $"dân số và số hộ lấy từ {Path.GetFileName(path)} theo mã tổ ({result.Count} tổ)"));
        return result;
    }
}

static class SourceCrsExtensions
{
    public static bool IsVn2000Tm3(this SourceCrs crs) => CrsRegistry.IsVn2000Tm3(crs.Srid);
}
