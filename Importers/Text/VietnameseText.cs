using System.Text;

namespace WardMap.Importers.Text;

/// <summary>
/// Legacy Vietnamese encodings found in cadastral DBF files (../shared/domain/formats-and-encodings.md):
/// TCVN3/ABC (one byte a letter) and VNI (base letter + a combining byte). .NET has neither, so the
/// tables live here. Every text leaves as Unicode NFC.
/// </summary>
public static class VietnameseText
{
    public enum Kind { Utf8, Tcvn3, Vni, Cp1258, Latin1 }

    public static Kind ParseKind(string name) => name.Trim().ToLowerInvariant().Replace("-", "").Replace("_", "") switch
    {
        "utf8" or "unicode" => Kind.Utf8,
        "tcvn3" or "abc" or "tcvn" or "tcvn5712" => Kind.Tcvn3,
        "vni" or "vniwindows" => Kind.Vni,
        "cp1258" or "windows1258" or "1258" => Kind.Cp1258,
        "latin1" or "iso88591" => Kind.Latin1,
        _ => throw new ArgumentException($"unknown encoding '{name}': use utf-8, tcvn3, vni or cp1258"),
    };

    // TCVN 5712:1993 (VN3): lower-case letters and the seven upper-case bases.
    static readonly Dictionary<byte, char> Tcvn3 = Build(
        "A1Ă A2Â A3Ê A4Ô A5Ơ A6Ư A7Đ A8ă A9â AAê ABô ACơ ADư AEđ " +
        "B5à B6ả B7ã B8á B9ạ BBằ BCẳ BDẵ BEắ C6ặ C7ầ C8ẩ C9ẫ CAấ CBậ " +
        "CCè CEẻ CFẽ D0é D1ẹ D2ề D3ể D4ễ D5ế D6ệ D7ì D8ỉ DCĩ DDí DEị " +
        "DFò E1ỏ E2õ E3ó E4ọ E5ồ E6ổ E7ỗ E8ố E9ộ EAờ EBở ECỡ EDớ EEợ " +
        "EFù F1ủ F2ũ F3ú F4ụ F5ừ F6ử F7ữ F8ứ F9ự FAỳ FBỷ FCỹ FDý FEỵ");

    // VNI-Windows: letters that stand alone.
    static readonly Dictionary<byte, char> VniLetters = Build(
        "F4ơ D4Ơ F6ư D6Ư F1đ D1Đ EDí CDÍ ECì CCÌ E6ỉ C6Ỉ F3ĩ D3Ĩ F2ị D2Ị EEỵ CEỴ");

    // VNI-Windows: bytes that modify the letter before them (as combining marks, composed by NFC).
    static readonly Dictionary<byte, string> VniMarks = new()
    {
        [0xF9] = "\u0301", [0xD9] = "\u0301", [0xF8] = "\u0300", [0xD8] = "\u0300",
        [0xFB] = "\u0309", [0xDB] = "\u0309", [0xF5] = "\u0303", [0xD5] = "\u0303",
        [0xEF] = "\u0323", [0xCF] = "\u0323",
        [0xE2] = "\u0302", [0xC2] = "\u0302", [0xE1] = "\u0302\u0301", [0xC1] = "\u0302\u0301",
        [0xE0] = "\u0302\u0300", [0xC0] = "\u0302\u0300", [0xE5] = "\u0302\u0309", [0xC5] = "\u0302\u0309",
        [0xE3] = "\u0302\u0303", [0xC3] = "\u0302\u0303", [0xE4] = "\u0302\u0323", [0xC4] = "\u0302\u0323",
        [0xEA] = "\u0306", [0xCA] = "\u0306", [0xE9] = "\u0306\u0301", [0xC9] = "\u0306\u0301",
        [0xE8] = "\u0306\u0300", [0xC8] = "\u0306\u0300", [0xFA] = "\u0306\u0309", [0xDA] = "\u0306\u0309",
        [0xFC] = "\u0306\u0303", [0xDC] = "\u0306\u0303", [0xEB] = "\u0306\u0323", [0xCB] = "\u0306\u0323",
    };

    static Dictionary<byte, char> Build(string pairs) =>
        pairs.Split(' ', StringSplitOptions.RemoveEmptyEntries)
             .ToDictionary(p => Convert.ToByte(p[..2], 16), p => p[2]);

    static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);
    static Encoding? _cp1258;
    static Encoding Cp1258
    {
        get
        {
            if (_cp1258 is null)
            {
                Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
                _cp1258 = Encoding.GetEncoding(1258);
            }
            return _cp1258;
        }
    }

    public static string Decode(ReadOnlySpan<byte> bytes, Kind kind)
    {
        var s = kind switch
        {
            Kind.Utf8 => Encoding.UTF8.GetString(bytes),
            Kind.Cp1258 => Cp1258.GetString(bytes),
            Kind.Latin1 => Encoding.Latin1.GetString(bytes),
            Kind.Tcvn3 => DecodeTcvn3(bytes),
            Kind.Vni => DecodeVni(bytes),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return kind is Kind.Tcvn3 ? s : Nfc.Of(s);   // TCVN3 maps to precomposed letters only
    }

    /// <summary>Unicode -> TCVN3 bytes (for writing legacy test files); letters TCVN3 lacks become '?'.</summary>
    public static byte[] EncodeTcvn3(string text)
    {
        var reverse = Tcvn3.ToDictionary(p => p.Value, p => p.Key);
        var nfc = text.Normalize(NormalizationForm.FormC);
        var bytes = new byte[nfc.Length];
        for (int i = 0; i < nfc.Length; i++)
            bytes[i] = nfc[i] < 0x80 ? (byte)nfc[i] : reverse.TryGetValue(nfc[i], out var b) ? b : (byte)'?';
        return bytes;
    }

    /// <summary>Unicode -> VNI bytes (for writing legacy test files).</summary>
    public static byte[] EncodeVni(string text)
    {
        var letters = VniLetters.ToDictionary(p => p.Value, p => p.Key);
        var marks = VniMarks.Where(p => p.Key >= 0xE0).ToDictionary(p => p.Value, p => p.Key);      // lower-case forms
        var upperMarks = VniMarks.Where(p => p.Key < 0xE0).ToDictionary(p => p.Value, p => p.Key);
        var output = new List<byte>();
        foreach (var ch in text.Normalize(NormalizationForm.FormC))
        {
            if (ch < 0x80) { output.Add((byte)ch); continue; }
            if (letters.TryGetValue(ch, out var l)) { output.Add(l); continue; }
            var d = ch.ToString().Normalize(NormalizationForm.FormD);
            var baseChar = d[0];
            var rest = d[1..];
            // ơ/ư carry a horn (U+031B): their base byte is the stand-alone letter
            if (rest.StartsWith('\u031B')) { output.Add(letters[(baseChar + "\u031B").Normalize(NormalizationForm.FormC)[0]]); rest = rest[1..]; }
            else output.Add((byte)baseChar);
            if (rest.Length == 0) continue;
            var table = char.IsUpper(baseChar) ? upperMarks : marks;
            output.Add(table.TryGetValue(rest, out var m) ? m : (byte)'?');
        }
        return output.ToArray();
    }

    static string DecodeTcvn3(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) sb.Append(Tcvn3.TryGetValue(b, out var c) ? c : (char)b);
        return sb.ToString();
    }

    static string DecodeVni(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (VniMarks.TryGetValue(b, out var mark) && sb.Length > 0 && char.IsLetter(sb[^1])) sb.Append(mark);
            else if (VniLetters.TryGetValue(b, out var c)) sb.Append(c);
            else sb.Append((char)b);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Guesses the encoding of text bytes from a DBF with no .cpg: valid multi-byte UTF-8 wins; otherwise
    /// the candidate whose decoding reads most like Vietnamese (one tone mark a syllable, letters
    /// of the Vietnamese alphabet) wins. Pure ASCII is reported as UTF-8.
    /// </summary>
    public static Kind Detect(IEnumerable<byte[]> samples)
    {
        var list = samples.Where(s => s.Length > 0).Take(2000).ToList();
        if (list.All(s => s.All(b => b < 0x80))) return Kind.Utf8;
        if (list.All(IsUtf8)) return Kind.Utf8;
        Kind best = Kind.Tcvn3; int bestScore = int.MinValue;
        foreach (var kind in new[] { Kind.Tcvn3, Kind.Vni, Kind.Cp1258 })
        {
            int score = list.Sum(s => Score(Decode(s, kind)));
            if (score > bestScore) { best = kind; bestScore = score; }
        }
        return best;
    }

    static bool IsUtf8(byte[] s)
    {
        try { StrictUtf8.GetString(s); return true; } catch (DecoderFallbackException) { return false; }
    }

    const string Vowels = "aăâeêioôơuưy";

    /// <summary>+1 for a word that could be Vietnamese, -2 for one that could not.</summary>
    internal static int Score(string text)
    {
        int score = 0;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int tones = 0; bool foreign = false;
            foreach (var ch in word.Normalize(NormalizationForm.FormD))
            {
                if (ch is '\u0301' or '\u0300' or '\u0309' or '\u0303' or '\u0323') tones++;
                else if (ch > 0x7F && ch is not ('\u0302' or '\u0306' or '\u031B' or 'đ' or 'Đ')) foreign = true;
            }
            bool hasVowel = word.Normalize(NormalizationForm.FormD).Any(ch => Vowels.Contains(char.ToLowerInvariant(ch)));
            score += foreign || tones > 1 || (tones == 1 && !hasVowel) ? -2 : 1;
        }
        return score;
    }
}
