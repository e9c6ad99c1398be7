namespace WardMap;

/// <summary>
/// A sentence for a person: in English, the API's language (GIS clients, the city's systems, scripts), and, where
/// the viewer's officers or the residents' mini-app meet it, in Vietnamese too. A string is English only.
/// Every project references this one, so the importers' messages and the server's answers share it.
/// </summary>
public sealed record Said(string En, string? Vi = null)
{
    public static implicit operator Said(string en) => new(en);
    public override string ToString() => En;

    /// <summary>The Vietnamese text when asked for and there is one, else the English.</summary>
    public string In(bool vietnamese) => vietnamese ? Vi ?? En : En;

    /// <summary>This sentence after a lead-in ("parcels.shp: …"), one per language or the same for both.</summary>
    public Said After(string en, string? vi = null) => new(en + En, Vi is null ? null : (vi ?? en) + Vi);

    /// <summary>This sentence with more after it ("…; the layer keeps its previous data").</summary>
    public Said Then(string en, string? vi = null) => new(En + en, Vi is null ? null : Vi + (vi ?? en));
}
