using System.Collections.Concurrent;
using SkiaSharp;

namespace WardMap.Tiles;

/// <summary>
/// MapLibre glyph ranges (<c>/fonts/{fontstack}/{start}-{end}.pbf</c>) made here from a system font, so
/// labels — Vietnamese included (Latin Extended Additional, U+1E00–1EFF) — render on an intranet with no
/// font CDN. Each glyph is drawn with SkiaSharp at 24 px and turned into a signed distance field
/// (the TinySDF method: two Euclidean distance transforms), then encoded as glyphs.proto.
/// </summary>
public sealed class Glyphs
{
    const int Size = 24, Buffer = 3, Radius = 8;
    const double Cutoff = 0.25;
    readonly ConcurrentDictionary<(string, int), byte[]> _ranges = new();
    readonly SKTypeface? _typeface;

    /// <summary>The font file used (DejaVu Sans from Debian's fonts-dejavu-core), or null when none was found.</summary>
    public string? FontFile { get; }

    public Glyphs(string? fontFile = null)
    {
        FontFile = fontFile ?? new[]
        {
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/TTF/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        }.FirstOrDefault(File.Exists);
        if (FontFile is not null) _typeface = SKTypeface.FromFile(FontFile);
    }

    /// <summary>The range starting at <paramref name="start"/> (a multiple of 256), encoded; cached.</summary>
    public byte[] Range(string fontStack, int start) => _ranges.GetOrAdd((fontStack, start), k => Build(k.Item1, k.Item2));

    byte[] Build(string fontStack, int start)
    {
        var pbf = new ProtoWriter();
        var stack = new ProtoWriter();
        stack.String(1, fontStack);
        stack.String(2, $"{start}-{start + 255}");
        if (_typeface is not null)
        {
            using var font = new SKFont(_typeface, Size) { Edging = SKFontEdging.Antialias, Subpixel = false, Hinting = SKFontHinting.None };
            var ascender = (int)Math.Round(-font.Metrics.Ascent);
            for (int cp = start; cp < start + 256; cp++)
            {
                if (cp is >= 0xD800 and <= 0xDFFF) continue;
                var glyphId = font.GetGlyph(cp);
                if (glyphId == 0 && cp != 0) continue;   // not in the font: MapLibre falls back quietly
                var glyph = Render(font, glyphId, cp, ascender);
                stack.Message(3, glyph);
            }
        }
        pbf.Message(1, stack);
        return pbf.ToArray();
    }

    static ProtoWriter Render(SKFont font, ushort glyphId, int codepoint, int ascender)
    {
        var widths = new float[1];
        var bounds = new SKRect[1];
        font.GetGlyphWidths([glyphId], widths, bounds);
        var b = bounds[0];
        int left = (int)Math.Floor(b.Left), top = (int)Math.Floor(b.Top);
        int width = Math.Max(0, (int)Math.Ceiling(b.Right) - left), height = Math.Max(0, (int)Math.Ceiling(b.Bottom) - top);

        var g = new ProtoWriter();
        g.UInt(1, (uint)codepoint);
        if (width > 0 && height > 0)
        {
            int w = width + 2 * Buffer, h = height + 2 * Buffer;
            using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Alpha8, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(bitmap))
            using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            {
                canvas.Clear(SKColors.Transparent);
                canvas.DrawText(SKTextBlob.CreatePositioned(char.ConvertFromUtf32(codepoint), font, [new SKPoint(0, 0)]) ?? SKTextBlob.Create(" ", font),
                    Buffer - left, Buffer - top, paint);
            }
            g.Bytes(2, Sdf(bitmap.GetPixelSpan(), w, h));
        }
        g.UInt(3, (uint)width);
        g.UInt(4, (uint)height);
        g.SInt(5, left);
        g.SInt(6, -top - ascender);     // glyph top above the baseline, less the font's ascender (as fontnik writes it)
        g.UInt(7, (uint)Math.Round(widths[0]));
        return g;
    }

    /// <summary>Alpha coverage -> 8-bit signed distance field (TinySDF's encoding: 192 on the edge, radius 8).</summary>
    static byte[] Sdf(ReadOnlySpan<byte> alpha, int w, int h)
    {
        const double Inf = 1e20;
        var outer = new double[w * h];
        var inner = new double[w * h];
        for (int i = 0; i < w * h; i++)
        {
            double a = alpha[i] / 255.0;
            if (a >= 1) { outer[i] = 0; inner[i] = Inf; }
            else if (a <= 0) { outer[i] = Inf; inner[i] = 0; }
            else
            {
                double d = 0.5 - a;
                outer[i] = d > 0 ? d * d : 0;
                inner[i] = d < 0 ? d * d : 0;
            }
        }
        Edt(outer, w, h);
        Edt(inner, w, h);
        var result = new byte[w * h];
        for (int i = 0; i < w * h; i++)
        {
            double d = Math.Sqrt(outer[i]) - Math.Sqrt(inner[i]);
            result[i] = (byte)Math.Clamp(Math.Round(255 - 255 * (d / Radius + Cutoff)), 0, 255);
        }
        return result;
    }

    /// <summary>2-D squared Euclidean distance transform (Felzenszwalb and Huttenlocher), in place.</summary>
    static void Edt(double[] grid, int w, int h)
    {
        int n = Math.Max(w, h);
        var f = new double[n]; var v = new int[n]; var z = new double[n + 1]; var d = new double[n];
        for (int x = 0; x < w; x++)
        {
            for (int y = 0; y < h; y++) f[y] = grid[y * w + x];
            Edt1(f, d, v, z, h);
            for (int y = 0; y < h; y++) grid[y * w + x] = d[y];
        }
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++) f[x] = grid[y * w + x];
            Edt1(f, d, v, z, w);
            for (int x = 0; x < w; x++) grid[y * w + x] = d[x];
        }
    }

    static void Edt1(double[] f, double[] d, int[] v, double[] z, int n)
    {
        int k = 0;
        v[0] = 0; z[0] = double.NegativeInfinity; z[1] = double.PositiveInfinity;
        for (int q = 1; q < n; q++)
        {
            double s;
            while (true)
            {
                int r = v[k];
                s = (f[q] + q * q - (f[r] + r * r)) / (2.0 * q - 2.0 * r);
                if (s <= z[k] && k > 0) { k--; continue; }
                break;
            }
            k++;
            v[k] = q; z[k] = s; z[k + 1] = double.PositiveInfinity;
        }
        k = 0;
        for (int q = 0; q < n; q++)
        {
            while (z[k + 1] < q) k++;
            int r = v[k];
            d[q] = (q - r) * (q - r) + f[r];
        }
    }

    /// <summary>Just enough protobuf for glyphs.proto: varints, zigzag, strings, bytes, nested messages.</summary>
    sealed class ProtoWriter
    {
        readonly MemoryStream _s = new();
        void Varint(ulong v) { while (v >= 0x80) { _s.WriteByte((byte)(v | 0x80)); v >>= 7; } _s.WriteByte((byte)v); }
        void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));
        public void UInt(int field, uint v) { Tag(field, 0); Varint(v); }
        public void SInt(int field, int v) { Tag(field, 0); Varint((uint)((v << 1) ^ (v >> 31))); }
        public void Bytes(int field, byte[] b) { Tag(field, 2); Varint((ulong)b.Length); _s.Write(b); }
        public void String(int field, string s) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(s));
        public void Message(int field, ProtoWriter m) => Bytes(field, m.ToArray());
        public byte[] ToArray() => _s.ToArray();
    }
}
