namespace WardMap.Tiles.Tests;

public class GlyphTests
{
    /// <summary>Reads (field, wire type, value) triples of one protobuf message.</summary>
    static IEnumerable<(int Field, object Value)> Fields(byte[] data)
    {
        int i = 0;
        ulong Varint() { ulong v = 0; int shift = 0; byte b; do { b = data[i++]; v |= (ulong)(b & 0x7F) << shift; shift += 7; } while ((b & 0x80) != 0); return v; }
        while (i < data.Length)
        {
            var tag = Varint();
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (wire == 0) yield return (field, Varint());
            else if (wire == 2) { var len = (int)Varint(); yield return (field, data[i..(i + len)]); i += len; }
            else throw new InvalidDataException($"wire type {wire}");
        }
    }

    [Fact]
    public void A_Vietnamese_range_has_SDF_glyphs_whose_bitmaps_fit_their_metrics()
    {
        var glyphs = new Glyphs();
        Assert.NotNull(glyphs.FontFile);   // ./wardmap installs fonts-dejavu-core
        var stack = (byte[])Fields(glyphs.Range("DejaVu Sans Book", 7680)).Single(f => f.Field == 1).Value;
        var fields = Fields(stack).ToList();
        Assert.Equal("7680-7935", System.Text.Encoding.UTF8.GetString((byte[])fields.Single(f => f.Field == 2).Value));
        var all = fields.Where(f => f.Field == 3).Select(f => Fields((byte[])f.Value).ToDictionary(x => x.Field, x => x.Value)).ToList();
        var a = all.Single(g => (ulong)g[1] == 0x1EA5);   // ấ
        ulong w = (ulong)a[3], h = (ulong)a[4];
        Assert.InRange(w, 8UL, 20UL);
        Assert.InRange(h, 12UL, 26UL);
        var bitmap = (byte[])a[2];
        Assert.Equal((int)((w + 6) * (h + 6)), bitmap.Length);
        Assert.Contains(bitmap, b => b > 192);   // inside the glyph
        Assert.Contains(bitmap, b => b < 64);    // far outside
        Assert.True(all.Count > 200);
    }
}
