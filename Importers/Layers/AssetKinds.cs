using System.Globalization;
using System.Text;

namespace WardMap.Importers.Layers;

/// <summary>Asset kinds and statuses as sources write them (Vietnamese or English) -> the schema's values.</summary>
public static class AssetKinds
{
    static readonly Dictionary<string, string> Kinds = new()
    {
        ["light"] = "light", ["streetlight"] = "light", ["denchieusang"] = "light", ["den"] = "light", ["dencongcong"] = "light",
        ["camera"] = "camera", ["cameraanninh"] = "camera", ["cctv"] = "camera",
        ["loudspeaker"] = "loudspeaker", ["loa"] = "loudspeaker", ["cumloa"] = "loudspeaker", ["loatruyenthanh"] = "loudspeaker", ["speaker"] = "loudspeaker",
        ["wifi"] = "wifi", ["diemwifi"] = "wifi", ["wifipoint"] = "wifi",
        ["school"] = "school", ["truonghoc"] = "school", ["truong"] = "school",
        ["ledscreen"] = "led_screen", ["led"] = "led_screen", ["manhinhled"] = "led_screen",
        ["sensor"] = "sensor", ["cambien"] = "sensor",
        ["drain"] = "drain", ["cong"] = "drain", ["congthoatnuoc"] = "drain", ["ranh"] = "drain", ["muongthoatnuoc"] = "drain",
        ["kiosk"] = "kiosk", ["hydrant"] = "hydrant", ["trucuuhoa"] = "hydrant", ["busstop"] = "bus_stop", ["diemdungxebuyt"] = "bus_stop",
        ["other"] = "other", ["khac"] = "other",
    };

    static readonly Dictionary<string, string> Statuses = new()
    {
        ["active"] = "active", ["hoatdong"] = "active", ["tot"] = "active", ["binhthuong"] = "active", ["ok"] = "active",
        ["broken"] = "broken", ["hong"] = "broken", ["huhong"] = "broken",
        ["maintenance"] = "maintenance", ["baotri"] = "maintenance", ["suachua"] = "maintenance", ["dangsuachua"] = "maintenance",
        ["planned"] = "planned", ["kehoach"] = "planned", ["quyhoach"] = "planned",
        ["removed"] = "removed", ["dago"] = "removed", ["thaodo"] = "removed",
    };

    public static string? Kind(string text) => Kinds.GetValueOrDefault(Key(text));
    public static string? Status(string text) => Statuses.GetValueOrDefault(Key(text));

    /// <summary>Lower case, no diacritics (đ -> d), letters and digits only: "Đèn chiếu sáng" -> "denchieusang".</summary>
    public static string Key(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            var c = ch is 'đ' or 'Đ' ? 'd' : char.ToLowerInvariant(ch);
            if (char.IsLetterOrDigit(c)) sb.Append(c);
        }
        return sb.ToString();
    }
}
