using System.Text;
using WardMap.Importers.Text;

namespace WardMap.Importers.Tests;

public class VietnameseTextTests
{
    [Fact]
    public void TCVN3_bytes_from_the_domain_note_decode_to_Thua_dat()
        => Assert.Equal("Thửa đất", VietnameseText.Decode([0x54, 0x68, 0xF6, 0x61, 0x20, 0xAE, 0xCA, 0x74], VietnameseText.Kind.Tcvn3));

    [Theory]
    [InlineData("Nguyễn Văn Đức, phường Thạch Khôi")]
    [InlineData("Đất ở tại đô thị; tổ dân phố số 12")]
    [InlineData("Trịnh Thị Thu Hương")]
    public void VNI_and_TCVN3_round_trip_to_NFC_unicode(string text)
    {
        Assert.Equal(text.Normalize(NormalizationForm.FormC), VietnameseText.Decode(VietnameseText.EncodeVni(text), VietnameseText.Kind.Vni));
        // TCVN3 (VN3) has no upper-case toned letters: round-trip the lower-case text.
        var lower = text.ToLowerInvariant().Normalize(NormalizationForm.FormC);
        Assert.Equal(lower, VietnameseText.Decode(VietnameseText.EncodeTcvn3(lower), VietnameseText.Kind.Tcvn3));
    }

    static readonly string[] Names = ["Nguyễn Văn Hùng", "Trần Thị Hương", "Lê Đức Thắng", "Phạm Minh Tuấn", "Vũ Thị Thảo", "Đặng Quang Sơn",
        "Thửa 12, tờ 3, tổ dân phố 4, phường Thạch Khôi", "Bùi Ngọc Lan", "Hoàng Hữu Việt", "Đỗ Thanh Huyền"];

    [Fact]
    public void Detection_tells_TCVN3_from_VNI_from_CP1258_from_UTF8()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var cp1258 = Encoding.GetEncoding(1258);
        Assert.Equal(VietnameseText.Kind.Tcvn3, VietnameseText.Detect(Names.Select(VietnameseText.EncodeTcvn3)));
        Assert.Equal(VietnameseText.Kind.Vni, VietnameseText.Detect(Names.Select(VietnameseText.EncodeVni)));
        Assert.Equal(VietnameseText.Kind.Utf8, VietnameseText.Detect(Names.Select(Encoding.UTF8.GetBytes)));
        Assert.Equal(VietnameseText.Kind.Cp1258, VietnameseText.Detect(Names.Select(n => cp1258.GetBytes(n.Normalize(NormalizationForm.FormD)))));
    }

    [Fact]
    public void Decoded_text_is_NFC_so_it_compares_equal_to_typed_text()
    {
        var decomposed = "Thạch Khôi".Normalize(NormalizationForm.FormD);
        Assert.Equal("Thạch Khôi", VietnameseText.Decode(Encoding.UTF8.GetBytes(decomposed), VietnameseText.Kind.Utf8));
    }
}
