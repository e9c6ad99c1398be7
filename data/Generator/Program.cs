using WardMap.Generator;

// Writes the sample ward's source files: what a ward actually receives, not database rows.
//   dotnet WardMap.Generator.dll --out data/generated [--parcels 25000] [--seed 20251]
string outDir = "data/generated";
int parcels = 25_000, seed = 20251;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--parcels" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p > 0: parcels = p; i++; break;
        case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], out var s): seed = s; i++; break;
        default:
            Console.Error.WriteLine("usage: WardMap.Generator --out DIR [--parcels N] [--seed S]");
            return 2;
    }
}

var summary = SampleWriter.Write(outDir, parcels, seed);
Console.Error.WriteLine($"wardmap: sample ward written to {outDir}: {summary}");
return 0;
