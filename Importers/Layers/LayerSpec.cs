using NpgsqlTypes;

namespace WardMap.Importers.Layers;

public enum FieldType { Text, Int, Decimal }
public enum GeometryKind { Polygon, Line, Point, Any }

/// <summary>A schema column an importer fills, with the source field names surveyors and the city use for it.</summary>
public sealed record LayerField(string Column, FieldType Type, bool Required, params string[] Aliases)
{
    public NpgsqlDbType DbType => Type switch
    {
        FieldType.Int => NpgsqlDbType.Integer,
        FieldType.Decimal => NpgsqlDbType.Numeric,
        _ => NpgsqlDbType.Text,
    };
    public string SqlType => Type switch { FieldType.Int => "integer", FieldType.Decimal => "numeric", _ => "text" };
}

/// <summary>
/// What one importable layer is: its table, geometry, the fields it maps (the default mapping), and the
/// natural key an upsert merges on. The importer's SQL is built from these names only, never from input.
/// </summary>
public sealed record LayerSpec(
    string Name,
    string Table,
    GeometryKind Geometry,
    LayerField[] Fields,
    string[] NaturalKey,
    string Description)
{
    /// <summary>Parcels: legal area measured in TM-3 and the legacy land-use code kept.</summary>
    public bool IsParcels => Name == "parcels";
    /// <summary>Assets keep every unmapped source field in a jsonb column.</summary>
    public bool KeepsOtherFieldsAsJson => Name == "assets";
    /// <summary>Derived data to bring up to date in the import's transaction, after the layer changed.</summary>
    public string? AfterImportSql => Name is "parcels" or "groups" ? "SELECT wm_refresh_group_residential_area()" : null;

    /// <summary>Fields whose value is a land-use code (validated against land_use_codes).</summary>
    public string? LandUseColumn => Name switch { "parcels" => "land_use", "zones" => "planned_use", _ => null };
}

public static class LayerCatalog
{
    public static readonly IReadOnlyList<LayerSpec> All =
    [
        new("parcels", "parcels", GeometryKind.Polygon,
        [
            new("sheet_no", FieldType.Int, true, "SoTo", "SHBANDO", "SoHieuToBanDo", "SoToBanDo", "To_BD", "sheet", "sheet_no"),
            new("parcel_no", FieldType.Int, true, "SoThua", "SHTHUA", "SoHieuThua", "Thua", "parcel", "parcel_no"),
            new("declared_area_m2", FieldType.Decimal, false, "DienTich", "DTICH", "DT", "DienTichPL", "area", "declared_area_m2", "legal_area_m2"),
            new("land_use", FieldType.Text, true, "MDSD", "LoaiDat", "KyHieuMDSD", "MucDichSuDung", "MaMDSD", "land_use"),
            new("address", FieldType.Text, false, "DiaChi", "DiaChiThua", "address"),
            new("owner_name", FieldType.Text, false, "TenChu", "ChuSuDung", "TenChuSuDung", "owner", "owner_name"),
            new("owner_id", FieldType.Text, false, "SoCCCD", "CCCD", "CMND", "SoGiayTo", "owner_id"),
            new("certificate_no", FieldType.Text, false, "SoGCN", "SoSeri", "SoPhatHanh", "GCN", "certificate_no"),
            new("ward_code", FieldType.Text, false, "MaXa", "MaPhuong", "ward_code"),
        ], ["sheet_no", "parcel_no"], "cadastral parcels (thửa đất)"),

        new("zones", "zones", GeometryKind.Polygon,
        [
            new("zone_code", FieldType.Text, true, "MaKhu", "MaO", "MaOQH", "KyHieuO", "KyHieu", "zone_code", "code"),
            new("name", FieldType.Text, false, "TenKhu", "TenO", "name"),
            new("planned_use", FieldType.Text, true, "ChucNang", "MDSD_QH", "MDSDQH", "LoaiDatQH", "planned_use"),
            new("max_density_pct", FieldType.Decimal, false, "MatDoXD", "MDXD", "MatDo", "max_density_pct"),
            new("max_floors", FieldType.Int, false, "TangCao", "SoTang", "TangCaoMax", "max_floors"),
            new("max_height_m", FieldType.Decimal, false, "ChieuCao", "ChieuCaoMax", "max_height_m"),
            new("far", FieldType.Decimal, false, "HSSDD", "HeSoSDD", "far"),
            new("setback_m", FieldType.Decimal, false, "KhoangLui", "ChiGioiXD", "setback_m"),
            new("plan_ref", FieldType.Text, false, "QuyetDinh", "SoQD", "plan_ref"),
        ], ["zone_code"], "planning zones (quy hoạch) with their indicators"),

        new("red_lines", "red_lines", GeometryKind.Any,
        [
            new("code", FieldType.Text, true, "Ma", "MaCG", "code"),
            new("kind", FieldType.Text, true, "Loai", "LoaiCG", "kind"),
            new("name", FieldType.Text, false, "Ten", "name"),
            new("width_m", FieldType.Decimal, false, "BeRong", "LoGioi", "width_m"),
            new("plan_ref", FieldType.Text, false, "QuyetDinh", "SoQD", "plan_ref"),
        ], ["code"], "red lines and protected corridors (chỉ giới đường đỏ)"),

        new("roads", "roads", GeometryKind.Line,
        [
            new("code", FieldType.Text, true, "MaDuong", "Ma", "code"),
            new("name", FieldType.Text, false, "TenDuong", "Ten", "name"),
            new("width_m", FieldType.Decimal, false, "BeRong", "LoGioi", "BeRongMat", "width_m"),
            new("class", FieldType.Text, false, "CapDuong", "LoaiDuong", "class"),
        ], ["code"], "road centre lines"),

        new("groups", "residential_groups", GeometryKind.Polygon,
        [
            new("code", FieldType.Text, true, "MaTo", "MaTDP", "code"),
            new("name", FieldType.Text, true, "TenTo", "TenTDP", "name"),
            new("population", FieldType.Int, false, "DanSo", "SoNhanKhau", "population"),
            new("households", FieldType.Int, false, "SoHo", "SoHoDan", "households"),
            new("leader", FieldType.Text, false, "ToTruong", "leader"),
        ], ["code"], "residential groups (tổ dân phố), population joined from a CSV by code"),

        new("assets", "assets", GeometryKind.Any,
        [
            new("kind", FieldType.Text, true, "LoaiTS", "Loai", "kind", "type"),
            new("code", FieldType.Text, true, "MaTS", "Ma", "code", "id"),
            new("name", FieldType.Text, false, "TenTS", "Ten", "name"),
            new("status", FieldType.Text, false, "TinhTrang", "TrangThai", "status"),
        ], ["kind", "code"], "infrastructure: lights, cameras, loudspeakers, Wi-Fi, schools, LED screens, drains…"),

        new("ward_boundary", "ward_boundary", GeometryKind.Polygon,
        [
            new("code", FieldType.Text, true, "MaXa", "MaPhuong", "code"),
            new("name", FieldType.Text, true, "TenXa", "TenPhuong", "name"),
            new("province", FieldType.Text, false, "TinhTP", "Tinh", "province"),
        ], ["code"], "the ward's outline"),
    ];

    public static LayerSpec Get(string name) =>
        All.FirstOrDefault(l => l.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown layer '{name}': use one of {string.Join(", ", All.Select(l => l.Name))}");
}
