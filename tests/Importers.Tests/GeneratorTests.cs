using WardMap.Generator;
using WardMap.TestSupport;

namespace WardMap.Importers.Tests;

public class GeneratorTests
{
    [Fact]
    public void The_same_seed_writes_the_same_files_as_the_committed_small_sample()
    {
        var dir = Directory.CreateTempSubdirectory("wardmap-gen-").FullName;
        try
        {
            SampleWriter.Write(dir, 300);
            // Every file, the DBF's header too (its date is fixed): ./wardmap run writes the sample again after the
            // generator changed and imports only the files whose bytes differ.
            foreach (var f in new[] { "parcels_hai_phong_9210.gpkg", "zones.gpkg", "roads.geojson", "ward_boundary.geojson", "assets_points.csv", "population.csv",
                                      "parcels_hai_duong_9209.shp", "parcels_hai_duong_9209.dbf" })
                Assert.True(File.ReadAllBytes(Path.Combine(dir, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Repo.SampleSmall(f))), $"{f} differs from data/sample-small");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_default_sample_is_about_25000_parcels_over_about_20_km2_with_the_asked_for_assets()
    {
        var ward = new SampleWard(25_000, 20251);
        Assert.InRange(ward.Lots.Count, 23_000, 27_000);
        Assert.InRange(ward.Ward.Area / 1e6, 15, 22);
        Assert.Equal(18, ward.Groups.Count);
        Assert.Equal(42, ward.Assets.Count(a => a.Kind == "loudspeaker"));
        Assert.Equal(9, ward.Assets.Count(a => a.Kind == "school"));
        Assert.Contains(ward.Lots, l => l.LandUse == "ODT+CLN");
        Assert.Equal(ward.Lots.Count, ward.Lots.Select(l => (l.Sheet, l.No)).Distinct().Count());
    }
}
