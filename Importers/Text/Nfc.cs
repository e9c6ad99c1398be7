using System.Text;

namespace WardMap.Importers.Text;

/// <summary>
/// Unicode NFC, cheaply: Vietnamese text is only ever non-NFC when it carries combining marks
/// (U+0300–U+036F, as "decomposed" keyboards and some exports write it), so strings without one are
/// returned as they are instead of paying for a full normalisation call on every field of every row.
/// </summary>
public static class Nfc
{
    public static string Of(string s)
    {
        foreach (var ch in s)
            if (ch is >= '\u0300' and <= '\u036F') return s.Normalize(NormalizationForm.FormC);
        return s;
    }
}
