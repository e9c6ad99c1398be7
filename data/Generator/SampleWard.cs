using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using WardMap.Importers.Crs;

namespace WardMap.Generator;

/// <summary>
/// A synthetic but plausible ward around Thạch Khôi (106.29 E, 20.93 N), built in metres in VN-2000 /
/// TM-3 105°45' (EPSG:9210): a grid of 500 m cells (main roads on their edges, secondary roads through
/// their middles), each cell split into four blocks, each block into lots that share their edges
/// exactly (so neighbours are real neighbours). Dense residential near the centre, fields outside.
/// Everything comes from one seeded Random, in a fixed order: the same seed writes the same files.
/// </summary>
public sealed class SampleWard
{
    public const double CellSize = 500, MainRoadWidth = 24, SecondaryRoadWidth = 10;
    public static readonly SourceCrs Crs = CrsRegistry.FromEpsg(9210);

    public readonly GeometryFactory F = new(new PrecisionModel(1000), 9210);   // millimetres, as surveys give
    readonly Random _rng;
    public int Cols { get; }
    public int Rows { get; }
    public double X0 { get; }
    public double Y0 { get; }
    public bool[,] InWard { get; }
    public Geometry Ward { get; }

    public List<Lot> Lots { get; } = new();
    public List<Road> Roads { get; } = new();
    public List<Zone> Zones { get; } = new();
    public List<RedLine> RedLines { get; } = new();
    public List<Group> Groups { get; } = new();
    public List<AssetItem> Assets { get; } = new();

    public sealed record Lot(int Sheet, int No, Polygon Geometry, string LandUse, double DeclaredArea, string Address,
        string Owner, string OwnerId, string Certificate, int Group);
    public sealed record Road(string Code, string Name, double Width, string Class, MultiLineString Geometry);
    public sealed record Zone(string Code, string Name, string PlannedUse, double? Density, int? Floors, double? Height,
        double? Far, double? Setback, string PlanRef, Geometry Geometry);
    public sealed record RedLine(string Code, string Kind, string Name, double Width, string PlanRef, Geometry Geometry);
    public sealed record Group(string Code, string Name, string Leader, Geometry Geometry, int Population, int Households);
    public sealed record AssetItem(string Kind, string Code, string Name, string Status, Geometry Geometry, Dictionary<string, object> Extra);

    static readonly string[] Families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Phan", "Trịnh", "Đinh"];
    static readonly string[] Middles = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Ngọc", "Quang", "Thị Thu", "Văn Đức"];
    static readonly string[] Givens = ["Bình", "Cường", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phương", "Quang", "Sơn", "Thảo",
        "Trang", "Tuấn", "Việt", "Yến", "Hùng", "Khánh", "Linh", "Thắng", "Hạnh", "Nhung", "Đạt", "Tùng", "Huyền", "Lợi"];
    static readonly string[] MainNames = ["Đường Nguyễn Lương Bằng", "Đường Thạch Khôi", "Đường Trần Hưng Đạo", "Đường Lê Thanh Nghị",
        "Đường Ngô Quyền", "Đường Phạm Ngũ Lão", "Đường Vũ Hựu", "Đường Nguyễn Văn Linh", "Đường Tuệ Tĩnh", "Đường Hồng Quang",
        "Đường Chi Lăng", "Đường Điện Biên Phủ", "Đường Thanh Niên", "Đường Quang Trung", "Đường Yết Kiêu", "Đường Bạch Đằng"];

    public SampleWard(int targetParcels, int seed)
    {
        _rng = new Random(seed);
        var scale = Math.Sqrt(Math.Max(targetParcels, 200) / 25_000.0);
        Cols = Math.Max(3, (int)Math.Round(10 * scale));
        Rows = Math.Max(3, (int)Math.Round(8 * scale));
        var (e0, n0) = Crs.FromWgs84(106.29, 20.93);
        X0 = Math.Round(e0 - Cols * CellSize / 2);
        Y0 = Math.Round(n0 - Rows * CellSize / 2);

        // The ward: the grid less a few corner cells, so the outline is irregular like a real one.
        InWard = new bool[Cols, Rows];
        for (int c = 0; c < Cols; c++)
            for (int r = 0; r < Rows; r++)
            {
                bool corner = (c == 0 || c == Cols - 1) && (r == 0 || r == Rows - 1);
                bool edge = c == 0 || r == 0 || c == Cols - 1 || r == Rows - 1;
                InWard[c, r] = !(corner || (edge && Cols > 3 && Rows > 3 && _rng.NextDouble() < 0.15));
            }
        var cells = new List<Geometry>();
        for (int c = 0; c < Cols; c++)
            for (int r = 0; r < Rows; r++)
                if (InWard[c, r]) cells.Add(Cell(c, r));
        Ward = UnaryUnionOp.Union(cells);

        // Residential share tuned so the default makes ~25,000 parcels (190 lots a dense block, 30 a field block).
        BuildLots(targetParcels);
        BuildRoads();
        BuildZonesAndRedLines();
        BuildGroups();
        BuildAssets();
    }

    public Polygon Cell(int c, int r) => Rect(X0 + c * CellSize, Y0 + r * CellSize, X0 + (c + 1) * CellSize, Y0 + (r + 1) * CellSize);
    public Polygon Rect(double x0, double y0, double x1, double y1) =>
        F.CreatePolygon([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)]);

    double Centre(double a, double b) => (a + b) / 2;
    /// <summary>0 at the ward's centre, 1 at its far corner.</summary>
    double Remoteness(double x, double y)
    {
        double dx = (x - X0) / (Cols * CellSize) - 0.5, dy = (y - Y0) / (Rows * CellSize) - 0.5;
        return Math.Sqrt(dx * dx + dy * dy) / 0.7071;
    }

    public bool IsDense(int c, int r, int block) => _dense[c, r, block];
    bool[,,] _dense = new bool[0, 0, 0];

    void BuildLots(int target)
    {
        int blocks = 0;
        for (int c = 0; c < Cols; c++) for (int r = 0; r < Rows; r++) if (InWard[c, r]) blocks += 4;
        double share = Math.Clamp((target / (double)blocks - 30) / (190 - 30), 0.05, 1.0);
        // The densest blocks are the central ones: rank blocks by remoteness, take the share.
        var ranked = new List<(int c, int r, int b, double d)>();
        for (int c = 0; c < Cols; c++)
            for (int r = 0; r < Rows; r++)
                if (InWard[c, r])
                    for (int b = 0; b < 4; b++)
                    {
                        var (bx, by) = (X0 + c * CellSize + (b % 2 + 0.5) * CellSize / 2, Y0 + r * CellSize + (b / 2 + 0.5) * CellSize / 2);
                        ranked.Add((c, r, b, Remoteness(bx, by) + _rng.NextDouble() * 0.25));
                    }
        _dense = new bool[Cols, Rows, 4];
        foreach (var x in ranked.OrderBy(x => x.d).Take((int)Math.Round(share * ranked.Count))) _dense[x.c, x.r, x.b] = true;

        var perSheet = new Dictionary<int, int>();
        int sheetCols = (int)Math.Ceiling(Cols * CellSize / 1000);
        for (int c = 0; c < Cols; c++)
            for (int r = 0; r < Rows; r++)
            {
                if (!InWard[c, r]) continue;
                for (int b = 0; b < 4; b++)
                {
                    // Block interior: cell quarter less half a main road on the cell's edges and half a secondary road in its middle.
                    double qx0 = X0 + c * CellSize + (b % 2) * CellSize / 2, qy0 = Y0 + r * CellSize + (b / 2) * CellSize / 2;
                    double bx0 = qx0 + (b % 2 == 0 ? MainRoadWidth / 2 : SecondaryRoadWidth / 2);
                    double bx1 = qx0 + CellSize / 2 - (b % 2 == 0 ? SecondaryRoadWidth / 2 : MainRoadWidth / 2);
                    double by0 = qy0 + (b / 2 == 0 ? MainRoadWidth / 2 : SecondaryRoadWidth / 2);
                    double by1 = qy0 + CellSize / 2 - (b / 2 == 0 ? SecondaryRoadWidth / 2 : MainRoadWidth / 2);
                    bool dense = _dense[c, r, b];
                    int nx = dense ? (int)((bx1 - bx0) / 12.2) : (int)((bx1 - bx0) / 38);
                    int ny = dense ? (int)((by1 - by0) / 23) : (int)((by1 - by0) / 46);
                    var pts = new Coordinate[nx + 1, ny + 1];
                    for (int i = 0; i <= nx; i++)
                        for (int j = 0; j <= ny; j++)
                        {
                            bool border = i == 0 || j == 0 || i == nx || j == ny;
                            double jx = border ? 0 : (_rng.NextDouble() - 0.5) * 1.6, jy = border ? 0 : (_rng.NextDouble() - 0.5) * 1.6;
                            var p = new Coordinate(bx0 + i * (bx1 - bx0) / nx + jx, by0 + j * (by1 - by0) / ny + jy);
                            F.PrecisionModel.MakePrecise(p);
                            pts[i, j] = p;
                        }
                    for (int i = 0; i < nx; i++)
                        for (int j = 0; j < ny; j++)
                        {
                            var ring = new[] { pts[i, j], pts[i + 1, j], pts[i + 1, j + 1], pts[i, j + 1], pts[i, j] }.Select(p => p.Copy()).ToArray();
                            var poly = F.CreatePolygon(ring);
                            var cen = poly.Centroid;
                            int sheet = (int)((cen.Y - Y0) / 1000) * sheetCols + (int)((cen.X - X0) / 1000) + 1;
                            perSheet[sheet] = perSheet.GetValueOrDefault(sheet) + 1;
                            Lots.Add(MakeLot(sheet, perSheet[sheet], poly, dense, c, r));
                        }
                }
            }
    }

    Lot MakeLot(int sheet, int no, Polygon poly, bool dense, int c, int r)
    {
        double u = _rng.NextDouble();
        string use = dense
            ? u < 0.80 ? "ODT" : u < 0.94 ? "ODT+CLN" : u < 0.97 ? "TMD" : u < 0.985 ? "DGD" : "TSC"
            : u < 0.55 ? "LUC" : u < 0.70 ? "HNK" : u < 0.82 ? "CLN" : u < 0.90 ? "NTS" : u < 0.93 ? "NTD" : u < 0.965 ? "ONT" : u < 0.985 ? "LNK" : "BHK";
        double area = poly.Area;
        // Declared areas: mostly the register's rounding, a few older surveys off by 6-15 %.
        double declared = _rng.NextDouble() < 0.01 ? area * (1 + (_rng.NextDouble() < 0.5 ? -1 : 1) * (0.06 + _rng.NextDouble() * 0.09))
                                                   : area * (1 + (_rng.NextDouble() - 0.5) * 0.004);
        string owner = use is "DGD" or "TSC" ? "UBND phường Thạch Khôi"
            : $"{Families[_rng.Next(Families.Length)]} {Middles[_rng.Next(Middles.Length)]} {Givens[_rng.Next(Givens.Length)]}";
        string ownerId = use is "DGD" or "TSC" ? "" : $"030{_rng.Next(0, 2)}{_rng.Next(10_000_000, 99_999_999)}";
        string certificate = $"C{(char)('K' + _rng.Next(0, 8))} {_rng.Next(100_000, 999_999)}";
        int group = GroupOf(c, r);
        string address = $"Thửa {no}, tờ {sheet}, tổ dân phố {group}, phường Thạch Khôi";
        return new Lot(sheet, no, poly, use, Math.Round(declared, 1), address, owner, ownerId, certificate, group);
    }

    /// <summary>18 residential groups: the cells split into 6 x 3 bands.</summary>
    public int GroupOf(int c, int r) => (r * 3 / Rows) * 6 + (c * 6 / Cols) + 1;

    void BuildRoads()
    {
        int n = 0;
        // Main roads on every cell edge line (horizontal then vertical), secondary through cell middles.
        for (int r = 0; r <= Rows; r++) AddRoad(ref n, true, true, r);
        for (int c = 0; c <= Cols; c++) AddRoad(ref n, true, false, c);
        for (int r = 0; r < Rows; r++) AddRoad(ref n, false, true, r);
        for (int c = 0; c < Cols; c++) AddRoad(ref n, false, false, c);
    }

    void AddRoad(ref int n, bool main, bool horizontal, int index)
    {
        var offset = main ? 0 : CellSize / 2;
        var parts = new List<LineString>();
        int along = horizontal ? Cols : Rows;
        for (int k = 0; k < along; k++)
        {
            // A segment exists where a ward cell touches it.
            bool touches = horizontal
                ? (main ? (index < Rows && InWard[k, index]) || (index > 0 && InWard[k, index - 1]) : InWard[k, index])
                : (main ? (index < Cols && InWard[index, k]) || (index > 0 && InWard[index - 1, k]) : InWard[index, k]);
            if (!touches) continue;
            var fixedCoord = (horizontal ? Y0 : X0) + index * CellSize + offset;
            var a = (horizontal ? X0 : Y0) + k * CellSize;
            var b = a + CellSize;
            parts.Add(horizontal ? F.CreateLineString([new(a, fixedCoord), new(b, fixedCoord)])
                                 : F.CreateLineString([new(fixedCoord, a), new(fixedCoord, b)]));
        }
        if (parts.Count == 0) return;
        var merged = new NetTopologySuite.Operation.Linemerge.LineMerger();
        merged.Add(parts);
        var lines = merged.GetMergedLineStrings().Cast<LineString>().ToArray();
        n++;
        string name = main ? MainNames[(n - 1) % MainNames.Length] + (n > MainNames.Length ? $" {n / MainNames.Length + 1}" : "")
                           : $"Phố {n - (Rows + Cols + 2) + 1} Thạch Khôi";
        Roads.Add(new Road($"D{n:000}", name, main ? MainRoadWidth : SecondaryRoadWidth, main ? "main" : "secondary", F.CreateMultiLineString(lines)));
    }

    void BuildZonesAndRedLines()
    {
        const string plan = "QĐ 1234/QĐ-UBND ngày 15/3/2024 (quy hoạch phân khu tỷ lệ 1/2000)";
        int z = 0;
        for (int c = 0; c < Cols; c++)
            for (int r = 0; r < Rows; r++)
            {
                if (!InWard[c, r]) continue;
                int dense = Enumerable.Range(0, 4).Count(b => _dense[c, r, b]);
                var cell = Cell(c, r);
                z++;
                if (dense >= 2 && z % 7 == 3)
                {
                    // A cell split by two plans down its middle: parcels there straddle two zones.
                    var mid = X0 + c * CellSize + CellSize * 0.5 + 30;
                    Zones.Add(new($"ODT-{z:000}A", $"Khu ở cải tạo {z}A", "ODT", 80, 5, 22, 4, 0, plan, Rect(X0 + c * CellSize, Y0 + r * CellSize, mid, Y0 + (r + 1) * CellSize)));
                    Zones.Add(new($"ODT-{z:000}B", $"Khu ở mới {z}B", "ODT", 60, 7, 28, 4.5, 3, plan, Rect(mid, Y0 + r * CellSize, X0 + (c + 1) * CellSize, Y0 + (r + 1) * CellSize)));
                }
                else if (dense >= 2)
                    Zones.Add(new($"ODT-{z:000}", $"Khu ở hiện trạng cải tạo {z}", "ODT", 80, 5, 22, 4, 0, plan, cell));
                else if (z % 5 == 0)
                    Zones.Add(new($"ODT-{z:000}", $"Khu đô thị mới {z}", "ODT", 60, 7, 28, 4.5, 3, plan, cell));   // fields planned as housing: conversions
                else if (z % 11 == 0)
                    Zones.Add(new($"DKV-{z:000}", $"Công viên cây xanh {z}", "DKV", 5, 1, 6, 0.1, 10, plan, cell));
                else if (z % 13 == 0)
                    Zones.Add(new($"DGD-{z:000}", $"Đất giáo dục {z}", "DGD", 40, 4, 18, 1.6, 6, plan, cell));
                else
                    Zones.Add(new($"LUC-{z:000}", $"Đất nông nghiệp giữ lại {z}", "LUC", null, null, null, null, null, plan, cell));
            }

        // Red lines: each main road's reserve; one road to be widened by 8 m on its north side.
        foreach (var road in Roads.Where(r => r.Class == "main"))
            RedLines.Add(new($"CGDD-{road.Code}", "red_line", $"Chỉ giới đường đỏ {road.Name}", road.Width, plan,
                road.Geometry.Buffer(road.Width / 2, NetTopologySuite.Operation.Buffer.EndCapStyle.Flat)));
        var wardCentre = Ward.Centroid;
        var widened = Roads.Where(r => r.Class == "main" && r.Geometry.EnvelopeInternal.Height < 1)   // horizontal
                           .OrderBy(r => r.Geometry.Distance(wardCentre)).First();
        var strip = widened.Geometry.Buffer(widened.Width / 2 + 8, NetTopologySuite.Operation.Buffer.EndCapStyle.Flat)
            .Difference(widened.Geometry.Buffer(widened.Width / 2, NetTopologySuite.Operation.Buffer.EndCapStyle.Flat));
        var north = strip.Intersection(Rect(X0, widened.Geometry.EnvelopeInternal.MinY, X0 + Cols * CellSize, Y0 + Rows * CellSize));
        RedLines.Add(new("MRD-01", "road_widening", $"Mở rộng {widened.Name} thêm 8 m", 8, plan, north));
        Zones.Add(new("DGT-01", $"Đất giao thông mở rộng {widened.Name}", "DGT", null, null, null, null, null, plan, north));
        // A protected canal corridor crossing the fields in the south.
        var canalY = Y0 + CellSize * 0.73;
        var canal = F.CreateLineString([new(X0, canalY), new(X0 + Cols * CellSize * 0.6, canalY + 140), new(X0 + Cols * CellSize, canalY + 60)]);
        RedLines.Add(new("HL-KENH-01", "protected_corridor", "Hành lang bảo vệ kênh Thạch Khôi", 20, "Nghị định 67/2018/NĐ-CP (hành lang bảo vệ công trình thủy lợi)",
            canal.Buffer(10).Intersection(Ward)));
    }

    void BuildGroups()
    {
        var leaders = new Random(7);
        for (int g = 1; g <= 18; g++)
        {
            var cells = new List<Geometry>();
            for (int c = 0; c < Cols; c++)
                for (int r = 0; r < Rows; r++)
                    if (InWard[c, r] && GroupOf(c, r) == g) cells.Add(Cell(c, r));
            if (cells.Count == 0) continue;
            var lots = Lots.Count(l => l.Group == g && l.LandUse.StartsWith("OD") || l.Group == g && l.LandUse == "ONT");
            int households = (int)Math.Round(lots * 1.1) + 20;
            int population = (int)Math.Round(households * (3.4 + _rng.NextDouble() * 0.6));
            Groups.Add(new($"TDP{g:00}", $"Tổ dân phố số {g}", $"{Families[leaders.Next(Families.Length)]} {Middles[leaders.Next(Middles.Length)]} {Givens[leaders.Next(Givens.Length)]}",
                UnaryUnionOp.Union(cells), population, households));
        }
    }

    void BuildAssets()
    {
        int light = 0;
        foreach (var road in Roads)
            foreach (LineString line in road.Geometry.Geometries.Cast<LineString>())
            {
                var len = line.Length;
                var indexed = new NetTopologySuite.LinearReferencing.LengthIndexedLine(line);
                for (double d = 20; d < len; d += 40)
                {
                    var p = indexed.ExtractPoint(d, road.Width / 2 - 1);   // on the kerb
                    light++;
                    Assets.Add(new("light", $"DEN-{light:00000}", $"Đèn {road.Name} #{light}", _rng.NextDouble() < 0.03 ? "broken" : "active",
                        F.CreatePoint(p), new() { ["power_w"] = road.Class == "main" ? 150 : 100, ["road"] = road.Code, ["installed"] = 2015 + _rng.Next(0, 10) }));
                }
            }
        // Junctions of main roads inside the ward, centre first.
        var junctions = new List<Coordinate>();
        for (int c = 1; c < Cols; c++)
            for (int r = 1; r < Rows; r++)
                if (InWard[c, r] && InWard[c - 1, r] && InWard[c, r - 1] && InWard[c - 1, r - 1])
                    junctions.Add(new(X0 + c * CellSize, Y0 + r * CellSize));
        if (junctions.Count == 0)   // a tiny test ward: use its cells' corners nearest the centre
            for (int c = 0; c < Cols; c++)
                for (int r = 0; r < Rows; r++)
                    if (InWard[c, r]) junctions.Add(new(X0 + c * CellSize + 12, Y0 + r * CellSize + 12));
        junctions = junctions.OrderBy(j => Remoteness(j.X, j.Y)).ToList();
        for (int i = 0; i < junctions.Count; i++)
            Assets.Add(new("camera", $"CAM-{i + 1:000}", $"Camera nút giao {i + 1}", "active", F.CreatePoint(Offset(junctions[i], 14, 14)), new() { ["resolution"] = "4MP", ["ai"] = i % 3 == 0 }));
        for (int i = 0; i < Math.Min(6, junctions.Count); i++)
            Assets.Add(new("led_screen", $"LED-{i + 1:00}", $"Màn hình LED {i + 1}", "active", F.CreatePoint(Offset(junctions[i], -14, 14)), new() { ["size_m2"] = 12 }));

        // 42 loudspeaker clusters and Wi-Fi points spread over the ward; 9 schools on DGD lots or block centres.
        var inside = new NetTopologySuite.Algorithm.Locate.IndexedPointInAreaLocator(Ward);
        var env = Ward.EnvelopeInternal;
        // On a 9 x 7 lattice of slots, jittered, skipping slots outside the ward, until 42 stand.
        int placed = 0;
        for (int slot = 0; placed < 42 && slot < 63 * 20; slot++)
        {
            int s = slot % 63;
            var p = new Coordinate(env.MinX + (s % 9 + 0.5) * env.Width / 9 + (_rng.NextDouble() - 0.5) * 120,
                                   env.MinY + (s / 9 + 0.5) * env.Height / 7 + (_rng.NextDouble() - 0.5) * 120);
            F.PrecisionModel.MakePrecise(p);
            if (inside.Locate(p) != Location.Interior) continue;
            placed++;
            Assets.Add(new("loudspeaker", $"LOA-{placed:00}", $"Cụm loa số {placed}", _rng.NextDouble() < 0.05 ? "broken" : "active", F.CreatePoint(p), new() { ["speakers"] = 2 + _rng.Next(0, 3) }));
        }
        for (int i = 0; i < 24 && i < junctions.Count; i++)
            Assets.Add(new("wifi", $"WIFI-{i + 1:00}", $"Wi-Fi công cộng {i + 1}", "active", F.CreatePoint(Offset(junctions[i], 14, -14)), new() { ["ssid"] = "ThachKhoi-Free" }));
        var schoolLots = Lots.Where(l => l.LandUse == "DGD").Take(9).ToList();
        var names = new[] { "Trường Mầm non Thạch Khôi", "Trường Tiểu học Thạch Khôi", "Trường THCS Thạch Khôi", "Trường Mầm non Hoa Sen", "Trường Tiểu học Gia Xuyên",
            "Trường THCS Nguyễn Trãi", "Trường Mầm non Liên Hồng", "Trường Tiểu học Tứ Minh", "Trường THPT Thạch Khôi" };
        for (int i = 0; i < 9; i++)
        {
            var p = i < schoolLots.Count ? schoolLots[i].Geometry.InteriorPoint.Coordinate : Offset(junctions[i % junctions.Count], 60, 60);
            Assets.Add(new("school", $"TRUONG-{i + 1:0}", names[i], "active", F.CreatePoint(p), new() { ["pupils"] = 300 + _rng.Next(0, 900) }));
        }
        // Drains under the secondary roads.
        int drain = 0;
        foreach (var road in Roads.Where(r => r.Class == "secondary"))
        {
            drain++;
            Assets.Add(new("drain", $"CONG-{drain:000}", $"Cống thoát nước {road.Name}", "active",
                F.CreateMultiLineString(road.Geometry.Geometries.Cast<LineString>().Select(l => (LineString)F.CreateLineString(
                    l.Coordinates.Select(c => Offset(c, 0, -3)).ToArray())).ToArray()), new() { ["diameter_mm"] = 600 }));
        }
    }

    Coordinate Offset(Coordinate c, double dx, double dy)
    {
        var p = new Coordinate(c.X + dx, c.Y + dy);
        F.PrecisionModel.MakePrecise(p);
        return p;
    }
}
