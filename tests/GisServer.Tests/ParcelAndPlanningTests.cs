using System.Diagnostics;

namespace WardMap.GisServer.Tests;

/// <summary>Parcel look-ups, planning and OGC API Features over the small sample, against PostGIS's own answers.</summary>
public sealed class ParcelAndPlanningTests : SampleWardTest
{
    RunningServer _server => Server;


    [Fact]
    public async Task Parcel_by_sheet_and_number_is_that_row_without_owner_for_the_public()
    {
        var (sheet, no, id) = (await Scalar<int>("SELECT sheet_no FROM parcels ORDER BY id LIMIT 1 OFFSET 40"),
            await Scalar<int>("SELECT parcel_no FROM parcels ORDER BY id LIMIT 1 OFFSET 40"), await Scalar<long>("SELECT id FROM parcels ORDER BY id LIMIT 1 OFFSET 40"));
        var fc = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels?sheet={sheet}&no={no}");
        var f = Assert.Single(fc.GetProperty("features").EnumerateArray());
        Assert.Equal(id, f.GetProperty("id").GetInt64());
        var props = f.GetProperty("properties");
        Assert.Equal(await Scalar<double>("SELECT legal_area_m2 FROM parcels WHERE id = $1", id), props.GetProperty("legal_area_m2").GetDouble());
        Assert.False(props.TryGetProperty("owner_name", out _));
        Assert.False(props.TryGetProperty("owner_id", out _));
        Assert.Equal(0, await Scalar<long>("SELECT count(*) FROM audit_log WHERE action LIKE 'parcel.%'"));
    }

    [Fact]
    public async Task An_address_search_pages_through_all_its_matches_and_says_how_many()
    {
        // "phường" is in every address: more matches than a page.
        const string q = "phường";
        var all = (await Scalar<long[]>("SELECT array_agg(id ORDER BY sheet_no, parcel_no, id) FROM parcels WHERE lower(address) LIKE '%phường%'")).ToList();
        Assert.True(all.Count > 60);
        var seen = new List<long>();
        for (var offset = 0; offset < all.Count; offset += 25)
        {
            var fc = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels?q={Uri.EscapeDataString(q)}&limit=25&offset={offset}");
            Assert.Equal(all.Count, fc.GetProperty("numberMatched").GetInt32());
            Assert.Equal(Math.Min(25, all.Count - offset), fc.GetProperty("numberReturned").GetInt32());
            seen.AddRange(fc.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));
        }
        Assert.Equal(all, seen);   // every match once, in sheet and parcel order

        // Past the end: no features, the count still given; a negative offset is a bad request.
        var past = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels?q={Uri.EscapeDataString(q)}&offset={all.Count + 5}");
        Assert.Equal(all.Count, past.GetProperty("numberMatched").GetInt32());
        Assert.Empty(past.GetProperty("features").EnumerateArray());
        var bad = await _server.Client().GetAsync($"/api/parcels?q={Uri.EscapeDataString(q)}&offset=-1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("offset", await bad.Content.ReadAsStringAsync());
        // A page of none is a mistake too (it used to be read as 1); a page above the most is the most, and says so.
        var none = await _server.Client().GetAsync($"/api/parcels?q={Uri.EscapeDataString(q)}&limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal("limit", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var most = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels?q={Uri.EscapeDataString(q)}&limit=100000");
        Assert.Equal(Math.Min(all.Count, 500), most.GetProperty("numberReturned").GetInt32());

        // % and _ are looked for as themselves, not as LIKE's wildcards (no address has them).
        foreach (var wild in new[] { "%%%", "___" })
            Assert.Equal(0, (await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels?q={Uri.EscapeDataString(wild)}")).GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task A_search_typed_without_diacritics_finds_the_accented_names()
    {
        var officer = _server.Client(await _server.KeyAsync("officer"));
        async Task<List<(long Id, string Text)>> SearchAsync(HttpClient http, string query, string field)
        {
            var fc = await http.GetFromJsonAsync<JsonElement>($"/api/parcels?{query}&limit=500");
            Assert.True(fc.GetProperty("numberMatched").GetInt32() <= 500, "the sample's matches fit one page");
            return fc.GetProperty("features").EnumerateArray()
                .Select(f => (f.GetProperty("id").GetInt64(), f.GetProperty("properties").GetProperty(field).GetString()!)).ToList();
        }

        // An owner's surname typed plainly ("nguyen") finds every owner whose name has it with any accents,
        // as the name folded here in C# (NFD, marks dropped, đ -> d) says.
        var surname = await Scalar<string>("SELECT split_part(owner_name, ' ', 1) FROM parcels WHERE owner_name ~ '^[^ ]*[^ -~]' ORDER BY id LIMIT 1");
        var plain = Vietnamese.Fold(surname);
        Assert.NotEqual(surname.ToLowerInvariant(), plain);   // it has diacritics to leave out
        var owners = await Scalar<string[]>("SELECT array_agg(owner_name || '|' || id) FROM parcels WHERE owner_name IS NOT NULL");
        var expected = owners.Select(o => o.Split('|')).Where(o => Vietnamese.Fold(o[0]).Contains(plain)).Select(o => long.Parse(o[1])).Order().ToList();
        var found = await SearchAsync(officer, $"owner={Uri.EscapeDataString(plain)}", "owner_name");
        Assert.Equal(expected, found.Select(f => f.Id).Order().ToList());
        // Typed with its diacritics it matches them exactly: a subset, every name containing the surname as typed.
        var exact = await SearchAsync(officer, $"owner={Uri.EscapeDataString(surname)}", "owner_name");
        Assert.NotEmpty(exact);
        Assert.All(exact, f => Assert.Contains(surname, f.Text, StringComparison.OrdinalIgnoreCase));
        Assert.Subset(found.Select(f => f.Id).ToHashSet(), exact.Select(f => f.Id).ToHashSet());

        // An address the same way, for the public: "to dan pho 3" finds what "tổ dân phố 3" finds.
        var withAccents = await SearchAsync(_server.Client(), $"q={Uri.EscapeDataString("tổ dân phố 3,")}", "address");
        var without = await SearchAsync(_server.Client(), "q=to%20dan%20pho%203,", "address");
        Assert.NotEmpty(withAccents);
        Assert.Equal(withAccents.Select(f => f.Id), without.Select(f => f.Id));
    }

    [Fact]
    public async Task A_road_a_residential_group_or_an_asset_is_found_by_its_name_or_code()
    {
        async Task<List<JsonElement>> PlacesAsync(string q)
        {
            var r = await _server.Client().GetAsync($"/api/places?q={Uri.EscapeDataString(q)}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("application/geo+json", r.Content.Headers.ContentType?.MediaType);
            return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("features").EnumerateArray().ToList();
        }
        static string Prop(JsonElement f, string name) => f.GetProperty("properties").GetProperty(name).GetString()!;

        // A street typed without diacritics and without "Đường": the street, all its segments as one feature, is
        // first; the lights named after it ("Đèn Đường … #12") are the street's, not listed beside it.
        var street = await Scalar<string>("""
            SELECT r.name FROM roads r WHERE r.name LIKE 'Đường %' AND EXISTS (SELECT 1 FROM assets a WHERE strpos(a.name, r.name) > 0)
            ORDER BY r.name LIMIT 1
            """);
        var typed = Vietnamese.Fold(street["Đường ".Length..]);
        var found = await PlacesAsync(typed);
        Assert.Equal(("road", street), (Prop(found[0], "kind"), Prop(found[0], "name")));
        Assert.All(found, f => Assert.Contains(typed, Vietnamese.Fold(Prop(f, "name"))));
        Assert.DoesNotContain(found, f => Prop(f, "kind") == "asset" && Prop(f, "name").Contains(street));
        Assert.True(await Scalar<bool>("SELECT ST_Equals(ST_GeomFromGeoJSON($1), (SELECT ST_Union(geom) FROM roads WHERE name = $2))",
            found[0].GetProperty("geometry").GetRawText(), street));

        // A group by its name with diacritics, and by its code, with its population.
        var code = await Scalar<string>("SELECT code FROM residential_groups ORDER BY code OFFSET 2 LIMIT 1");
        var name = await Scalar<string>("SELECT name FROM residential_groups WHERE code = $1", code);
        var population = await Scalar<int>("SELECT population FROM residential_groups WHERE code = $1", code);
        foreach (var q in new[] { name, code.ToLowerInvariant() })
        {
            var group = Assert.Single(await PlacesAsync(q), f => Prop(f, "kind") == "group" && Prop(f, "code") == code);
            Assert.Equal(name, Prop(group, "name"));
            Assert.Equal(population, group.GetProperty("properties").GetProperty("population").GetInt32());
        }

        // An asset by its whole code comes first; a school by a word of its name.
        var camera = await Scalar<string>("SELECT code FROM assets WHERE kind = 'camera' ORDER BY code LIMIT 1");
        Assert.Equal(camera, Prop((await PlacesAsync(camera))[0], "code"));
        var school = await Scalar<string>("SELECT name FROM assets WHERE kind = 'school' ORDER BY name LIMIT 1");
        Assert.Contains(await PlacesAsync(school), f => Prop(f, "name") == school && Prop(f, "asset_kind") == "school");

        Assert.Empty(await PlacesAsync("không có nơi nào tên này"));
        var bad = await _server.Client().GetAsync("/api/places?q=x");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_officer_sees_owners_and_each_read_is_audited()
    {
        var id = await Scalar<long>("SELECT id FROM parcels WHERE owner_id <> '' ORDER BY id LIMIT 1");
        var officer = _server.Client(await _server.KeyAsync("officer"));
        var f = await officer.GetFromJsonAsync<JsonElement>($"/api/parcels/{id}");
        Assert.Equal(await Scalar<string>("SELECT owner_name FROM parcels WHERE id = $1", id), f.GetProperty("properties").GetProperty("owner_name").GetString());
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM audit_log WHERE action = 'parcel.read' AND target = $1 AND role = 'officer'", $"parcel {id}"));

        var owner = await Scalar<string>("SELECT owner_name FROM parcels WHERE id = $1", id);
        var byOwner = await officer.GetFromJsonAsync<JsonElement>($"/api/parcels?owner={Uri.EscapeDataString(owner)}");
        Assert.Contains(byOwner.GetProperty("features").EnumerateArray(), x => x.GetProperty("id").GetInt64() == id);
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Client().GetAsync($"/api/parcels?owner={Uri.EscapeDataString(owner)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Client(await _server.KeyAsync("planner")).GetAsync($"/api/parcels?owner=Nguyen")).StatusCode);
    }

    [Fact]
    public async Task Parcel_at_a_point_inside_and_the_nearest_from_the_road_saying_so()
    {
        var id = await Scalar<long>("SELECT id FROM parcels ORDER BY id LIMIT 1 OFFSET 100");
        var lon = await Scalar<double>("SELECT ST_X(ST_PointOnSurface(geom)) FROM parcels WHERE id = $1", id);
        var lat = await Scalar<double>("SELECT ST_Y(ST_PointOnSurface(geom)) FROM parcels WHERE id = $1", id);
        var inside = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels/at?lon={lon}&lat={lat}");
        Assert.Equal(id, inside.GetProperty("id").GetInt64());
        Assert.Equal("inside", inside.GetProperty("properties").GetProperty("match").GetString());

        // A point on a road, 3 m from the nearest parcel as PostGIS measures it.
        var road = await Scalar<string>("""
            SELECT ST_AsText(ST_Project(ST_ClosestPoint(ST_Boundary(p.geom), ST_Centroid(r.geom))::geography, 3,
                   ST_Azimuth(ST_Centroid(p.geom), ST_ClosestPoint(ST_Boundary(p.geom), ST_Centroid(r.geom))))::geometry)
            FROM parcels p, roads r WHERE r.class = 'main' ORDER BY ST_Distance(p.geom, r.geom) LIMIT 1
            """);
        var pt = road.Replace("POINT(", "").TrimEnd(')').Split(' ');
        var near = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels/at?lon={pt[0]}&lat={pt[1]}");
        Assert.Equal("nearest", near.GetProperty("properties").GetProperty("match").GetString());
        var expected = await Scalar<double>("SELECT min(ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography)) FROM parcels",
            double.Parse(pt[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(pt[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, near.GetProperty("properties").GetProperty("distance_m").GetDouble(), 2);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client().GetAsync("/api/parcels/at?lon=105&lat=10")).StatusCode);
    }

    [Fact]
    public async Task Neighbours_are_the_parcels_sharing_an_edge_with_its_length_in_TM3()
    {
        var id = await Scalar<long>("SELECT id FROM parcels WHERE land_use LIKE 'OD%' ORDER BY id LIMIT 1 OFFSET 30");
        var fc = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/neighbors");
        var got = fc.GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("id").GetInt64(), f => f.GetProperty("properties").GetProperty("shared_length_m").GetDouble());
        // PostGIS: parcels whose boundaries share a line (not a point), measured in the parcel's zone.
        await using var cmd = _server.Db.DataSource.CreateCommand("""
            SELECT o.id, ST_Length(ST_Transform(ST_Intersection(ST_Boundary(me.geom), ST_Boundary(o.geom)), me.source_srid))
            FROM parcels me JOIN parcels o ON o.id <> me.id AND ST_Relate(me.geom, o.geom, 'F***1****') WHERE me.id = $1
            """);
        cmd.Parameters.AddWithValue(id);
        var expected = new Dictionary<long, double>();
        await using (var r = await cmd.ExecuteReaderAsync()) while (await r.ReadAsync()) expected[r.GetInt64(0)] = r.GetDouble(1);
        Assert.True(expected.Count >= 2);
        Assert.Equal(expected.Keys.Order(), got.Keys.Order());
        foreach (var (k, v) in expected) Assert.Equal(v, got[k], 2);
    }

    [Fact]
    public async Task Planning_of_a_parcel_gives_each_zone_with_area_and_share()
    {
        // Split the zone under a parcel by a north-south line at 60 % of the parcel's width: two zones now share it.
        var id = await Scalar<long>("""
            SELECT p.id FROM parcels p JOIN zones z ON ST_Within(p.geom, z.geom)
            WHERE z.planned_use = 'ODT' AND NOT EXISTS (SELECT 1 FROM zones o WHERE o.id <> z.id AND ST_Intersects(o.geom, p.geom)) LIMIT 1
            """);
        await _server.Db.ExecAsync("""
            WITH p AS (SELECT geom, ST_XMin(geom) + 0.6 * (ST_XMax(geom) - ST_XMin(geom)) AS x FROM parcels WHERE id = $1),
                 z AS (SELECT zones.* FROM zones, p WHERE ST_Within(p.geom, zones.geom) LIMIT 1),
                 east AS (INSERT INTO zones (zone_code, name, planned_use, max_density_pct, source_srid, geom)
                          SELECT z.zone_code || '-E', 'east part', 'ODT', 60, z.source_srid, ST_Multi(ST_Intersection(z.geom, ST_MakeEnvelope(p.x, -90, 180, 90, 4326))) FROM z, p)
            UPDATE zones SET geom = ST_Multi(ST_Intersection(zones.geom, ST_MakeEnvelope(-180, -90, p.x, 90, 4326))) FROM z, p WHERE zones.id = z.id
            """, id);
        var json = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/planning");
        var zones = json.GetProperty("zones").EnumerateArray().ToList();
        var total = zones.Sum(z => z.GetProperty("area_m2").GetDouble());
        Assert.Equal(2, zones.Count);
        Assert.Equal(json.GetProperty("parcel_area_m2").GetDouble(), total, 0);
        Assert.Equal(100, zones.Sum(z => z.GetProperty("share_pct").GetDouble()), 0);
        Assert.Equal(60, zones[0].GetProperty("share_pct").GetDouble(), 0);
        var housing = await Scalar<string>("SELECT meaning_vi FROM land_use_codes WHERE code = 'ODT'");
        foreach (var z in zones)
        {
            Assert.Equal(await Scalar<double>("SELECT round(ST_Area(ST_Intersection(ST_Transform(z.geom, p.source_srid), ST_Transform(p.geom, p.source_srid)))::numeric, 1) FROM parcels p, zones z WHERE p.id = $1 AND z.zone_code = $2",
                id, z.GetProperty("zone_code").GetString()!), z.GetProperty("area_m2").GetDouble(), 1);
            Assert.Equal(housing, z.GetProperty("planned_use_name").GetString());   // the planned use in words, as the parcel's own
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client().GetAsync("/api/parcels/999999999/planning")).StatusCode);

        // A compound use is named part by part, in its order.
        await _server.Db.ExecAsync("UPDATE parcels SET land_use = 'CLN+ODT' WHERE id = $1", id);
        var parcel = await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels/{id}");
        Assert.Equal($"{await Scalar<string>("SELECT meaning_vi FROM land_use_codes WHERE code = 'CLN'")} + {housing}",
            parcel.GetProperty("properties").GetProperty("land_use_name").GetString());
    }

    [Fact]
    public async Task A_red_line_is_measured_over_a_parcel_in_the_survey_plane_so_one_that_only_borders_it_does_not_cross_it()
    {
        // A road's red line drawn in VN-2000 TM-3 as a 5 km long strip, as the city's are; the parcels beside it too.
        // Stored in lon/lat, a 5 km edge bows ~0.2 m off the straight line it is in TM-3, so measured in lon/lat the
        // strip would cross the parcels bordering it by a sliver that is not on the ground (nor in the permit check).
        const double e0 = 556_000, n0 = 2_318_000;
        string Rect(double x0, double y0, double x1, double y1) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"ST_Multi(ST_Transform(ST_MakeEnvelope({e0 + x0}, {n0 + y0}, {e0 + x1}, {n0 + y1}, 9210), 4326))");
        await _server.Db.ExecAsync($"INSERT INTO red_lines (code, kind, name, width_m, source_srid, geom) VALUES ('RL-5KM', 'red_line', 'Chỉ giới đường 5 km', 20, 9210, {Rect(-2500, 20, 2500, 40)})");
        async Task<long> Parcel(int no, double x0, double y0, double x1, double y1) => await Scalar<long>(
            $"INSERT INTO parcels (sheet_no, parcel_no, land_use, legal_area_m2, source_srid, geom) VALUES (990, {no}, 'ODT', 400, 9210, {Rect(x0, y0, x1, y1)}) RETURNING id");
        var south = await Parcel(1, 0, 0, 20, 20);        // its north edge is the strip's south edge
        var north = await Parcel(2, 0, 40, 20, 60);       // its south edge is the strip's north edge
        var across = await Parcel(3, 30, 1, 50, 21);      // 1 m into the strip along 20 m: 20 m²
        var barely = await Parcel(4, 60, 39.9, 80, 59.9); // 10 cm into it from the north, where lon/lat bows the strip away
        var onIt = await Parcel(5, 90, 0.005, 136, 20.005);  // built to it, 5 mm across by the plan's rounded coordinates
        async Task<List<JsonElement>> RedLines(long id) =>
            (await _server.Client().GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/planning")).GetProperty("red_lines").EnumerateArray().ToList();
        Assert.Empty(await RedLines(south));
        Assert.Empty(await RedLines(north));
        var crossing = Assert.Single(await RedLines(across));
        Assert.Equal("RL-5KM", crossing.GetProperty("code").GetString());
        Assert.Equal(20.0, crossing.GetProperty("area_m2").GetDouble(), 1);
        Assert.Equal(2.0, Assert.Single(await RedLines(barely)).GetProperty("area_m2").GetDouble(), 1);
        Assert.Empty(await RedLines(onIt));   // 0.2 m² of rounding along its 46 m frontage, not a red line across it
    }

    [Fact]
    public async Task A_planner_overlays_a_polygon_and_gets_parcels_zones_and_population()
    {
        var planner = _server.Client(await _server.KeyAsync("planner"));
        var poly = await Scalar<string>("SELECT ST_AsGeoJSON(ST_Buffer(ST_Centroid(ST_Union(geom)), 0.0006, 2)) FROM parcels WHERE land_use LIKE 'OD%'");
        var r = await planner.PostAsync("/api/planning/overlay", new StringContent(poly, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var json = await r.Content.ReadFromJsonAsync<JsonElement>();
        var parcels = json.GetProperty("parcels").EnumerateArray().ToList();
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels p WHERE ST_Area(ST_Transform(ST_Intersection(p.geom, ST_GeomFromGeoJSON($1)), p.source_srid)) > 0.05", poly), parcels.Count);
        Assert.True(json.GetProperty("population_affected").GetInt32() > 0);
        Assert.NotEmpty(json.GetProperty("zones").EnumerateArray());
        foreach (var z in json.GetProperty("zones").EnumerateArray())   // each zone's planned use in words too
            Assert.Equal(await Scalar<string>("SELECT meaning_vi FROM land_use_codes WHERE code = $1", z.GetProperty("planned_use").GetString()!),
                z.GetProperty("planned_use_name").GetString());

        // A parcel drawn along its own edges: itself, whole; the neighbours that only touch those edges are not in it.
        var id = await Scalar<long>("SELECT id FROM parcels ORDER BY id LIMIT 1 OFFSET 7");
        var own = await Scalar<string>("SELECT ST_AsGeoJSON(geom) FROM parcels WHERE id = $1", id);
        var alone = await (await planner.PostAsync("/api/planning/overlay", new StringContent(own, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        var itself = Assert.Single(alone.GetProperty("parcels").EnumerateArray());
        Assert.Equal(id, itself.GetProperty("id").GetInt64());
        Assert.Equal(100.0, itself.GetProperty("share_pct").GetDouble());
        // The same as a spreadsheet for the ward's notices: the parcel's number, address and use, the part inside.
        var sheetFile = await planner.PostAsync("/api/planning/overlay?format=csv", new StringContent(own, Encoding.UTF8, "application/json"));
        Assert.Equal("thua-dat-trong-vung.csv", sheetFile.Content.Headers.ContentDisposition?.FileName);
        var bytes = await sheetFile.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);   // Excel reads the addresses' Vietnamese right
        var lines = Encoding.UTF8.GetString(bytes[3..]).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("sheet_no,parcel_no,address,land_use,land_use_name,legal_area_m2,area_inside_m2,share_pct,id", lines[0]);
        var (sheetNo, parcelNo, address, use, legal) = (itself.GetProperty("sheet_no").GetInt32(), itself.GetProperty("parcel_no").GetInt32(),
            itself.GetProperty("address").GetString(), itself.GetProperty("land_use").GetString(), itself.GetProperty("legal_area_m2").GetDecimal());
        Assert.Equal(await Scalar<string>("SELECT address FROM parcels WHERE id = $1", id), address);
        Assert.Equal(await Scalar<string>("SELECT land_use_name(land_use) FROM parcels WHERE id = $1", id), itself.GetProperty("land_use_name").GetString());
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(FormattableString.Invariant($"{sheetNo},{parcelNo},{(address!.Contains(',') ? $"\"{address}\"" : address)},{use},"), lines[1]);
        Assert.EndsWith(FormattableString.Invariant($",{legal},{itself.GetProperty("area_inside_m2").GetDecimal()},100.0,{id}"), lines[1]);
        Assert.Equal(HttpStatusCode.BadRequest, (await planner.PostAsync("/api/planning/overlay?format=xlsx", new StringContent(own, Encoding.UTF8, "application/json"))).StatusCode);

        // A residential group's own outline: that group, all of its area inside; the groups next to it share only
        // the edge, so they are listed only if one of their houses straddles it (some of its people are affected).
        var (code, outline) = (await Scalar<string>("SELECT code FROM residential_groups ORDER BY code LIMIT 1 OFFSET 4"),
                               await Scalar<string>("SELECT ST_AsGeoJSON(geom) FROM residential_groups ORDER BY code LIMIT 1 OFFSET 4"));
        var inGroup = await (await planner.PostAsync("/api/planning/overlay", new StringContent(outline, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        var groups = inGroup.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(inGroup.GetProperty("area_m2").GetDouble(), groups.Single(g => g.GetProperty("code").GetString() == code).GetProperty("area_inside_m2").GetDouble(), 0);
        Assert.True(await Scalar<long>("SELECT count(*) FROM residential_groups WHERE code <> $1 AND ST_Touches(geom, (SELECT geom FROM residential_groups WHERE code = $1))", code) >= 3);
        Assert.All(groups.Where(g => g.GetProperty("code").GetString() != code), g =>
        {
            Assert.Equal(0.0, g.GetProperty("area_inside_m2").GetDouble());
            Assert.True(g.GetProperty("population_affected").GetInt32() > 0 || g.GetProperty("residential_share_pct").GetDouble() > 0);
        });

        // The whole ward: every parcel, each wholly inside, and the groups' whole population.
        var ward = await Scalar<string>("SELECT ST_AsGeoJSON(ST_Buffer(geom, 0.0001)) FROM ward_boundary");
        var all = await (await planner.PostAsync("/api/planning/overlay", new StringContent(ward, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels"), all.GetProperty("parcels").GetArrayLength());
        Assert.All(all.GetProperty("parcels").EnumerateArray(), p => Assert.Equal(100.0, p.GetProperty("share_pct").GetDouble()));
        Assert.Equal(await Scalar<long>("SELECT sum(population) FROM residential_groups WHERE residential_area_m2 > 0"), all.GetProperty("population_affected").GetInt32(), 2.0);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().PostAsync("/api/planning/overlay", new StringContent(poly))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Client(await _server.KeyAsync("officer")).PostAsync("/api/planning/overlay", new StringContent(poly))).StatusCode);
    }

    [Fact]
    public async Task A_planner_brings_the_area_as_a_file_in_VN2000_and_gets_the_same_overlay_as_drawn()
    {
        var planner = _server.Client(await _server.KeyAsync("planner"));
        // A site of 80 m around a group's centre, as a drawing office delivers it: VN-2000 (EPSG:9210), with a
        // dimension line beside it; the same site drawn in lon/lat for comparison.
        const string site = "ST_Buffer(ST_Transform((SELECT ST_PointOnSurface(geom) FROM residential_groups ORDER BY code LIMIT 1 OFFSET 3), 9210), 80, 8)";
        var inVn2000 = await Scalar<string>($"SELECT ST_AsGeoJSON({site}, 4)");
        var line = await Scalar<string>($"SELECT ST_AsGeoJSON(ST_ExteriorRing({site}), 4)");
        var drawn = await (await planner.PostAsync("/api/planning/overlay", new StringContent(await Scalar<string>($"SELECT ST_AsGeoJSON(ST_Transform({site}, 4326), 9)"),
            Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        const string crsMember = "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::9210\"}},";
        string Collection(bool crs) => $$"""{"type":"FeatureCollection",{{(crs ? crsMember : "")}}"features":[{"type":"Feature","properties":{"ten":"Khu A"},"geometry":{{inVn2000}}},{"type":"Feature","properties":{"ten":"kich thuoc"},"geometry":{{line}}}]}""";
        async Task<HttpResponseMessage> Send(string body, string name = "khu-a.geojson", string? srs = null)
        {
            var form = new MultipartFormDataContent { { new StringContent(body), "file", name } };
            if (srs is not null) form.Add(new StringContent(srs), "srs");
            return await planner.PostAsync("/api/planning/overlay", form);
        }
        IEnumerable<long> Ids(JsonElement answer) => answer.GetProperty("parcels").EnumerateArray().Select(p => p.GetProperty("id").GetInt64());

        foreach (var (body, srs) in new[] { (Collection(true), (string?)null), (Collection(false), "EPSG:9210") })
        {
            var r = await Send(body, srs: srs);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var file = await r.Content.ReadFromJsonAsync<JsonElement>();
            var zoneUse = file.GetProperty("zones")[0].GetProperty("planned_use_name").GetString()!;
            Assert.Contains($"\"{zoneUse}\"", await r.Content.ReadAsStringAsync());   // Vietnamese as it is, as the server's other JSON
            Assert.NotEmpty(Ids(file));
            Assert.Equal(Ids(drawn), Ids(file));
            Assert.Equal(drawn.GetProperty("population_affected").GetInt32(), file.GetProperty("population_affected").GetInt32());
            Assert.Equal(drawn.GetProperty("area_m2").GetDouble(), file.GetProperty("area_m2").GetDouble(), 0.5);
            var source = file.GetProperty("source");
            Assert.Equal("khu-a.geojson", source.GetProperty("file").GetString());
            Assert.StartsWith("EPSG:9210", source.GetProperty("crs").GetString());
            Assert.Equal(1, source.GetProperty("polygons").GetInt32());
            Assert.Equal(1, source.GetProperty("left_out").GetInt32());   // the dimension line
            Assert.False(source.GetProperty("crs_assumed").GetBoolean());
            Assert.Equal("Polygon", file.GetProperty("geometry").GetProperty("type").GetString());   // to draw it
            Assert.InRange(file.GetProperty("geometry").GetProperty("coordinates")[0][0][0].GetDouble(), 105, 108);
        }

        // What cannot be an area gets a sentence naming the file: no CRS and metres, no polygon, a format not read.
        async Task<string> Refused(HttpResponseMessage r)
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        }
        Assert.Contains("khu-a.geojson, row 1, field geometry: the file declares no CRS", await Refused(await Send(Collection(false))));
        // Unless a fallback zone is given (the viewer's footer zone): then it is read there, and the answer says so.
        var fallback = new MultipartFormDataContent { { new StringContent(Collection(false)), "file", "khu-a.geojson" }, { new StringContent("EPSG:9210"), "fallback_srs" } };
        var assumed = await (await planner.PostAsync("/api/planning/overlay", fallback)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Ids(drawn), Ids(assumed));
        Assert.True(assumed.GetProperty("source").GetProperty("crs_assumed").GetBoolean());
        var lines = $$"""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{{line}}}]}""";
        Assert.Contains("the file holds no polygon (1 lines or points)", await Refused(await Send(lines, srs: "EPSG:9210")));
        Assert.Contains("'khu-a.kml': .kml files are not read here", await Refused(await Send("<kml/>", "khu-a.kml")));
        Assert.Contains("khu-a.geojson", await Refused(await Send("{\"type\":\"FeatureCollection\",\"features\":[")));   // cut short in transfer
    }

    [Theory]
    [InlineData("{\"type\":\"Point\",\"coordinates\":[106.29,20.93]}", "Polygon")]
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[106.29,20.93],[106.3,20.94],[106.3,20.93],[106.29,20.94],[106.29,20.93]]]}", "Self-intersection")]
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[556000,2314000],[556010,2314000],[556010,2314010],[556000,2314000]]]}", "outside longitude/latitude")]
    [InlineData("{\"type\":\"Polygon\",\"coordinates\":[[[106,20],[107,20],[107,21],[106,20]]]}", "limited to")]
    [InlineData("{not json", "not valid JSON")]
    public async Task A_bad_overlay_polygon_is_a_400_saying_what_is_wrong(string body, string says)
    {
        var planner = _server.Client(await _server.KeyAsync("planner"));
        var r = await planner.PostAsync("/api/planning/overlay", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Conflicts_list_parcels_whose_use_the_plan_changes_as_CSV_and_GeoJSON()
    {
        // A paddy parcel wholly inside a zone planned for paddy too: no conflict.
        var id = await Scalar<long>("SELECT p.id FROM parcels p JOIN zones z ON ST_Within(p.geom, z.geom) WHERE p.land_use = 'LUC' AND z.planned_use = 'LUC' LIMIT 1");
        var planner = _server.Client(await _server.KeyAsync("planner"));
        var before = await planner.GetAsync("/api/planning/conflicts");
        Assert.DoesNotContain((await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("features").EnumerateArray(), f => f.GetProperty("id").GetInt64() == id);
        // The table is kept between requests; a browser asking again with its ETag is told nothing changed.
        var etag = before.Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.NotModified, (await ConflictsAsync(planner, etag)).StatusCode);
        var packedBefore = await PackedAsync("br");   // kept compressed for this version
        Assert.Equal(await before.Content.ReadAsByteArrayAsync(), packedBefore);

        // A planner re-plans that zone for housing, in QGIS straight in PostGIS: the parcel becomes a conversion.
        await _server.Db.ExecAsync("UPDATE zones SET planned_use = 'ODT' WHERE ST_Within((SELECT geom FROM parcels WHERE id = $1), geom)", id);
        var changed = await ConflictsAsync(planner, etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        var fc = await changed.Content.ReadFromJsonAsync<JsonElement>();
        var mine = fc.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("id").GetInt64() == id);
        Assert.Equal("conversion", mine.GetProperty("properties").GetProperty("kind").GetString());
        Assert.Equal("ODT", mine.GetProperty("properties").GetProperty("planned_use").GetString());
        var csv = await planner.GetStringAsync("/api/planning/conflicts?format=csv");
        Assert.StartsWith("id,sheet_no,parcel_no,land_use,legal_area_m2,zone_code,planned_use,kind,area_in_zone_m2,plan_ref", csv);
        Assert.Contains($"\n{id},", csv);
        // A file for Excel: a UTF-8 byte-order mark (Vietnamese plan references read right) and a file name.
        var download = await planner.GetAsync("/api/planning/conflicts?format=csv");
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, (await download.Content.ReadAsByteArrayAsync())[..3]);
        Assert.Equal("xung-dot-quy-hoach.csv", download.Content.Headers.ContentDisposition?.FileName);
        // A client that accepts brotli (every browser) or gzip gets the GeoJSON compressed, and the same table
        // unpacked: the new one, not the compressed copy kept for the version before the change.
        var plain = await (await planner.GetAsync("/api/planning/conflicts")).Content.ReadAsByteArrayAsync();
        Assert.Equal(plain, await PackedAsync("br"));
        Assert.Equal(plain, await PackedAsync("gzip"));
        Assert.NotEqual(packedBefore, plain);
        Assert.Equal(HttpStatusCode.BadRequest, (await planner.GetAsync("/api/planning/conflicts?format=xls")).StatusCode);
        // The CSV is another representation of the same table: its own ETag.
        Assert.NotEqual(changed.Headers.ETag!.Tag, download.Headers.ETag!.Tag);

        // The table as a client accepting that encoding gets it, unpacked; several times smaller on the wire.
        async Task<byte[]> PackedAsync(string encoding)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/planning/conflicts");
            request.Headers.AcceptEncoding.ParseAdd(encoding);
            var packed = await planner.SendAsync(request);
            Assert.Equal(encoding, packed.Content.Headers.ContentEncoding.Single());
            Assert.Contains("Accept-Encoding", packed.Headers.Vary);
            Assert.EndsWith($"-{encoding}\"", packed.Headers.ETag!.Tag);   // each encoding its own ETag, not the plain table's
            var bytes = await packed.Content.ReadAsByteArrayAsync();
            using var unpacked = new MemoryStream();
            using (Stream s = encoding == "br" ? new System.IO.Compression.BrotliStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress)
                                               : new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress))
                s.CopyTo(unpacked);
            Assert.True(bytes.Length * 3 < unpacked.Length, $"{bytes.Length} bytes compressed against {unpacked.Length}");
            return unpacked.ToArray();
        }
    }

    static Task<HttpResponseMessage> ConflictsAsync(HttpClient planner, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/planning/conflicts");
        request.Headers.IfNoneMatch.ParseAdd(ifNoneMatch);
        return planner.SendAsync(request);
    }

    [Fact]
    public async Task Group_statistics_add_up_to_the_groups_parcels()
    {
        var stats = await _server.Client().GetFromJsonAsync<JsonElement>("/api/stats/groups");
        var first = stats.EnumerateArray().First();
        var code = first.GetProperty("code").GetString()!;
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels p, residential_groups g WHERE g.code = $1 AND ST_Intersects(g.geom, ST_PointOnSurface(p.geom))", code),
            first.GetProperty("parcels").GetInt64());
        Assert.Equal(await Scalar<int>("SELECT population FROM residential_groups WHERE code = $1", code), first.GetProperty("population").GetInt32());
    }

    [Fact]
    public async Task OGC_API_pages_with_next_links_filters_by_property_and_bbox()
    {
        var c = _server.Client();
        // The standard's own member names (the rest of the API is snake_case).
        var conformance = await c.GetFromJsonAsync<JsonElement>("/ogc/conformance");
        Assert.Contains(conformance.GetProperty("conformsTo").EnumerateArray(), x => x.GetString()!.EndsWith("/conf/core"));
        var parcels = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels");
        Assert.Equal("feature", parcels.GetProperty("itemType").GetString());
        Assert.Equal("Thửa đất", parcels.GetProperty("title").GetString());
        var page = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels/items?limit=50&offset=10");
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels"), page.GetProperty("numberMatched").GetInt64());
        Assert.Equal(50, page.GetProperty("numberReturned").GetInt32());
        Assert.Contains(page.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "next" && l.GetProperty("href").GetString()!.Contains("offset=60"));
        Assert.DoesNotContain("owner", page.ToString());

        // Following the next links (which continue after the last id shown) visits every feature of a filtered
        // collection once, in id order, and the last page has no next link. The first page says how many match;
        // the pages a next link continues do not count them again.
        var expected = (await Scalar<long[]>("SELECT array_agg(id ORDER BY id) FROM parcels WHERE land_use = 'ODT'")).ToList();
        var seen = new List<long>();
        string? next = "/ogc/collections/parcels/items?land_use=ODT&limit=97";
        for (int pages = 0; next is not null; pages++)
        {
            Assert.True(pages < 100, "the next links went round in a circle");
            var onePage = await c.GetFromJsonAsync<JsonElement>(next);
            if (pages == 0) Assert.Equal(expected.Count, onePage.GetProperty("numberMatched").GetInt64());
            else Assert.False(onePage.TryGetProperty("numberMatched", out _));
            seen.AddRange(onePage.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));
            Assert.Equal(onePage.GetProperty("features").GetArrayLength(), onePage.GetProperty("numberReturned").GetInt32());
            next = onePage.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "next").Select(l => l.GetProperty("href").GetString()).SingleOrDefault();
            if (next is not null) Assert.Contains($"after={seen[^1]}", next);
        }
        Assert.Equal(expected, seen);
        // An offset alone still pages (a client that counts for itself), and a malformed after is a 400.
        var byOffset = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels/items?land_use=ODT&limit=3&offset=97");
        Assert.Equal(expected.Skip(97).Take(3), byOffset.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync("/ogc/collections/parcels/items?after=yesterday")).StatusCode);

        var odt = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels/items?land_use=ODT&limit=1");
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels WHERE land_use = 'ODT'"), odt.GetProperty("numberMatched").GetInt64());
        var b = await Scalar<string>("SELECT concat_ws(',', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM (SELECT ST_Expand(ST_Centroid(ST_Union(geom)), 0.001) e FROM parcels) x");
        var inBox = await c.GetFromJsonAsync<JsonElement>($"/ogc/collections/parcels/items?bbox={b}&limit=1");
        var parts = b.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)", parts[0], parts[1], parts[2], parts[3]),
            inBox.GetProperty("numberMatched").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync("/ogc/collections/parcels/items?owner_name=x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync("/ogc/collections/parcels/items?bbox=1,2,3")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/ogc/collections/secrets/items")).StatusCode);
    }

    [Fact]
    public async Task OGC_API_serves_a_VN2000_zone_or_latitude_first_EPSG_4326_and_takes_a_bbox_in_either()
    {
        var c = _server.Client();
        var id = await Scalar<long>("SELECT id FROM parcels ORDER BY id LIMIT 1 OFFSET 5");
        const string Vn2000 = "http://www.opengis.net/def/crs/EPSG/0/9210";   // VN-2000 / TM-3 105°45', the Hải Phòng zone
        var parcels = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels");
        Assert.Contains(parcels.GetProperty("crs").EnumerateArray(), x => x.GetString() == Vn2000);
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", parcels.GetProperty("storageCrs").GetString());

        async Task<(double, double, string)> FirstVertex(string query)
        {
            var r = await c.GetAsync($"/ogc/collections/parcels/items/{id}{query}");
            r.EnsureSuccessStatusCode();
            var xy = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("geometry").GetProperty("coordinates")[0][0][0];
            return (xy[0].GetDouble(), xy[1].GetDouble(), r.Headers.GetValues("Content-Crs").Single());
        }
        var (lon, lat, crs84) = await FirstVertex("");
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", crs84);
        var (east, north, vn) = await FirstVertex($"?crs={Vn2000}");
        Assert.Equal($"<{Vn2000}>", vn);
        // PROJ with EPSG's own definition of the zone (cs2cs, Debian's proj-bin) is the oracle: within 1 cm.
        var points = Path.GetTempFileName();
        await File.WriteAllTextAsync(points, FormattableString.Invariant($"{lat} {lon}\n"));
        var (code, output) = await Run("cs2cs", "-d", "4", "EPSG:4326", "EPSG:9210", points);
        File.Delete(points);
        Assert.True(code == 0, output);
        var expected = output.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Take(2).Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(east - expected[0], -0.01, 0.01);
        Assert.InRange(north - expected[1], -0.01, 0.01);
        // EPSG:4326 orders latitude first; CRS84 is the same datum, longitude first.
        var (first, second, _) = await FirstVertex("?crs=EPSG:4326");
        Assert.Equal((lat, lon), (first, second));

        // A bbox in the zone's metres (2 m around the vertex) finds the parcel and only parcels whose extent is by it;
        // the same box 10 km east finds none.
        var inMetres = await c.GetFromJsonAsync<JsonElement>(FormattableString.Invariant(
            $"/ogc/collections/parcels/items?bbox-crs={Vn2000}&bbox={east - 1},{north - 1},{east + 1},{north + 1}&crs={Vn2000}"));
        var found = inMetres.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToArray();
        Assert.Contains(id, found);
        Assert.True(await Scalar<bool>("SELECT bool_and(ST_DWithin(ST_Envelope(geom)::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, 3)) FROM parcels WHERE id = ANY($1)", found, lon, lat));
        var farAway = await c.GetFromJsonAsync<JsonElement>(FormattableString.Invariant(
            $"/ogc/collections/parcels/items?bbox-crs={Vn2000}&bbox={east + 9999},{north - 1},{east + 10001},{north + 1}"));
        Assert.Equal(0, farAway.GetProperty("numberMatched").GetInt64());
        // The same box in lon/lat and in EPSG:4326's lat,lon finds the same.
        var box = FormattableString.Invariant($"{lon - 0.00001},{lat - 0.00001},{lon + 0.00001},{lat + 0.00001}");
        var inDegrees = await c.GetFromJsonAsync<JsonElement>($"/ogc/collections/parcels/items?bbox={box}");
        var latFirst = await c.GetFromJsonAsync<JsonElement>(FormattableString.Invariant(
            $"/ogc/collections/parcels/items?bbox-crs=EPSG:4326&bbox={lat - 0.00001},{lon - 0.00001},{lat + 0.00001},{lon + 0.00001}"));
        Assert.Equal(inDegrees.GetProperty("numberMatched").GetInt64(), latFirst.GetProperty("numberMatched").GetInt64());
        Assert.True(inDegrees.GetProperty("numberMatched").GetInt64() > 0);
        // Its links keep the CRS it was asked in.
        Assert.Contains(inMetres.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "self" && l.GetProperty("href").GetString()!.Contains("&crs=http"));

        // A CRS not offered, or a datetime that is not one, is a 400 naming the parameter (it was silently read as CRS84, or ignored).
        foreach (var (query, field) in new[] { ("crs=EPSG:1234", "crs"), ("bbox-crs=EPSG:9999&bbox=0,0,1,1", "bbox-crs"), ("datetime=yesterday", "datetime") })
        {
            var bad = await c.GetAsync($"/ogc/collections/parcels/items?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(field, (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/ogc/collections/parcels/items?datetime=2025-07-01T00:00:00Z/..&limit=1")).StatusCode);
    }

    // What a browser's Accept says (Chromium's, Firefox's), against GDAL's, QGIS's and curl's.
    const string Browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    /// <summary>A page of the open data as a client with this Accept gets it (the public, no key).</summary>
    async Task<(HttpResponseMessage R, string Body)> Get(string path, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        var r = await _server.Client().SendAsync(request);
        return (r, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OGC_API_pages_read_in_a_browser_show_the_same_features_with_their_map_and_no_personal_data()
    {
        var c = _server.Client();

        // A browser gets pages, GDAL, QGIS and curl JSON, whatever they send; f= decides over Accept.
        var landing = await Get("/ogc", Browser);
        Assert.Equal("text/html", landing.R.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Vary", landing.R.Headers.ToString());
        Assert.Contains("/ogc/collections?f=html", landing.Body);
        Assert.Equal("application/json", (await Get("/ogc", "*/*")).R.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/geo+json", (await Get("/ogc/collections/parcels/items?limit=1", "application/geo+json, application/json")).R.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/json", (await Get("/ogc/collections?f=json", Browser)).R.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/html", (await Get("/ogc/collections/parcels?f=html", "*/*")).R.Content.Headers.ContentType?.MediaType);
        var bad = await Get("/ogc/collections?f=xml", Browser);
        Assert.Equal(HttpStatusCode.BadRequest, bad.R.StatusCode);
        Assert.Contains("\"field\":\"f\"", bad.Body);
        var conformance = await c.GetFromJsonAsync<JsonElement>("/ogc/conformance");
        Assert.Contains(conformance.GetProperty("conformsTo").EnumerateArray(), x => x.GetString()!.EndsWith("/conf/html"));
        var json = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels/items?limit=5&offset=5&land_use=ODT");
        Assert.Contains(json.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "alternate" && l.GetProperty("type").GetString() == "text/html");

        // A page of features: the same five rows as the JSON, paging on in HTML, the map fitted to them, no owners.
        var (_, page) = await Get("/ogc/collections/parcels/items?limit=5&offset=5&land_use=ODT", Browser);
        var ids = json.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(5, ids.Count);
        Assert.Equal(ids, System.Text.RegularExpressions.Regex.Matches(page, @"/ogc/collections/parcels/items/(\d+)\?f=html").Select(m => long.Parse(m.Groups[1].Value)).ToList());
        Assert.Contains($"6–10 trong {(await Scalar<long>("SELECT count(*) FROM parcels WHERE land_use = 'ODT'")).ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("vi-VN"))} đối tượng", page);
        // In the reader's words: Vietnamese headings over the names the filters use, land-use codes with their meaning.
        Assert.Contains("Mục đích sử dụng đất<br><code>land_use</code>", page);
        Assert.Contains($"ODT — {await Scalar<string>("SELECT meaning_vi FROM land_use_codes WHERE code = 'ODT'")}", page);
        Assert.Contains($"land_use=ODT&amp;limit=5&amp;offset=10&amp;after={ids[^1]}&amp;f=html", page);   // next, with the filter kept
        Assert.Contains("land_use=ODT&amp;limit=5&amp;offset=0&amp;f=html", page);    // previous
        var owners = await Scalar<string[]>("SELECT array_agg(owner_name) FROM parcels WHERE id = ANY($1) AND owner_name IS NOT NULL", ids.ToArray());
        Assert.NotEmpty(owners);
        Assert.All(owners, o => Assert.DoesNotContain(o, page));
        var extent = await Scalar<string>("SELECT ST_XMin(e) || ',' || ST_YMin(e) || ',' || ST_XMax(e) || ',' || ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM parcels WHERE id = ANY($1)) x", ids.ToArray());
        Assert.Contains($"src=\"/widget?layers=parcels&amp;bbox={extent}\"", page);

        // One feature: its attributes, and the map ringing it; markup in the data is text, not markup.
        var (_, one) = await Get($"/ogc/collections/parcels/items/{ids[0]}", Browser);
        Assert.Contains(await Scalar<string>("SELECT address FROM parcels WHERE id = $1", ids[0]), one);
        var area = await Scalar<double>("SELECT legal_area_m2::float8 FROM parcels WHERE id = $1", ids[0]);
        Assert.Contains($"<td>{area.ToString("#,##0.###", System.Globalization.CultureInfo.GetCultureInfo("vi-VN"))}</td>", one);   // 1.809,7
        if (area >= 1000 || area % 1 != 0) Assert.DoesNotContain($"<td>{area.ToString(System.Globalization.CultureInfo.InvariantCulture)}</td>", one);   // not 1809.7
        Assert.Contains($"src=\"/widget?layers=parcels&amp;highlight={ids[0]}\"", one);
        Assert.DoesNotContain(owners[0], one);
        await _server.Db.ExecAsync("UPDATE assets SET name = '<script>alert(1)</script>' WHERE id = (SELECT min(id) FROM assets)");
        var asset = await Scalar<long>("SELECT min(id) FROM assets");
        var (_, escaped) = await Get($"/ogc/collections/assets/items/{asset}?f=html", "*/*");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", escaped);
        var (kind, status) = (await Scalar<string>("SELECT kind FROM assets WHERE id = $1", asset), await Scalar<string>("SELECT status FROM assets WHERE id = $1", asset));
        Assert.Contains($"<span title=\"{kind}\">", escaped);     // the kind in Vietnamese, its stored value beside
        Assert.Contains($"<span title=\"{status}\">", escaped);
        Assert.DoesNotContain($"<td>{kind}</td>", escaped);
        Assert.DoesNotContain("<script>", escaped);

        // The collections and each collection's attributes are described in Vietnamese on the pages; the JSON keeps
        // the catalogue's English for QGIS and GDAL. A layer's "kind" lists that layer's own kinds.
        var (_, collections) = await Get("/ogc/collections", Browser);
        Assert.Contains("không có thông tin chủ sử dụng", collections);
        Assert.DoesNotContain(WardMap.Tiles.TileCatalog.Find("parcels")!.Description, collections);
        Assert.Equal(WardMap.Tiles.TileCatalog.Find("parcels")!.Description,
            (await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels")).GetProperty("description").GetString());
        var (_, redLines) = await Get("/ogc/collections/red_lines", Browser);
        Assert.Contains("Chỉ giới đường đỏ, Phạm vi mở rộng đường, Hành lang bảo vệ, Chỉ giới xây dựng", redLines);
        Assert.DoesNotContain("Camera an ninh", redLines);
        var (_, assets) = await Get("/ogc/collections/assets", Browser);
        Assert.Contains("Camera an ninh", assets);
        Assert.DoesNotContain("Chỉ giới đường đỏ,", assets);
        Assert.Contains("Đang hoạt động, Hỏng", assets);   // the statuses an asset may have
        var (_, parcels) = await Get("/ogc/collections/parcels", Browser);
        Assert.Contains("Thông tư 08/2024/TT-BTNMT", parcels);
        Assert.DoesNotContain("land-use code, compound as", parcels);
    }

    [Fact]
    public async Task A_browser_that_follows_a_stale_open_data_link_gets_a_page_saying_so_and_GDAL_its_problem_json()
    {
        var gone = await Scalar<long>("SELECT max(id) + 1000 FROM parcels");

        // A parcel that is no longer there (merged, renumbered): the page says so in Vietnamese and leads back.
        var (r, page) = await Get($"/ogc/collections/parcels/items/{gone}", Browser);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Không tìm thấy</h1>", page);
        Assert.Contains($"không có đối tượng &#x27;{gone}&#x27; trong lớp Thửa đất", page);
        Assert.Contains("/ogc/collections?f=html\">Các lớp dữ liệu</a>", page);
        Assert.Contains("/ogc?f=html\">Dữ liệu mở</a> › Không tìm thấy", page);   // the trail, as on every page
        var (_, english) = await Get($"/ogc/collections/parcels/items/{gone}?lang=en", Browser);
        Assert.Contains("<h1>Not found</h1>", english);
        Assert.Contains("/ogc/collections?f=html&amp;lang=en\">The collections</a>", english);
        var (missing, collection) = await Get("/ogc/collections/cameras/items?f=html", "*/*");   // a tile layer, in the OGC API as assets
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("không có lớp &#x27;cameras&#x27;; các lớp: ward_boundary, parcels", collection);
        var (badLimit, limitPage) = await Get("/ogc/collections/parcels/items?limit=0", Browser);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("<h1>Yêu cầu chưa đúng</h1>", limitPage);
        Assert.Contains("limit &#x27;0&#x27; phải là số nguyên từ 1 đến 10000", limitPage);   // what is wrong, in the page's words
        var (_, filterPage) = await Get("/ogc/collections/parcels/items?chu=Nguyen", Browser);
        Assert.Contains("&#x27;chu&#x27; không phải thuộc tính lọc được của parcels: dùng ", filterPage);

        // GDAL, QGIS and scripts still get the problem as JSON, in the API's English.
        var (api, json) = await Get($"/ogc/collections/parcels/items/{gone}", "application/geo+json, application/json");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"no feature '{gone}' in parcels", JsonDocument.Parse(json).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_open_data_pages_read_in_English_from_a_link_with_lang_en_and_their_links_keep_it()
    {
        var c = _server.Client();
        async Task<string> Html(string path, string language = "en-US,en;q=0.9")
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/html");
            request.Headers.AcceptLanguage.ParseAdd(language);
            var r = await c.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return await r.Content.ReadAsStringAsync();
        }
        var english = System.Globalization.CultureInfo.GetCultureInfo("en-GB");

        // Vietnamese whatever the browser's language (as the viewer), English when the link asks; each offers the other.
        var vietnamese = await Html("/ogc");
        Assert.Contains("<html lang=\"vi\">", vietnamese);
        Assert.Contains("href=\"/ogc?lang=en\" lang=\"en\">English</a>", vietnamese);
        var landing = await Html("/ogc?lang=en");
        Assert.Contains("<html lang=\"en\">", landing);
        Assert.Contains("The ward&#x27;s open data", landing);
        Assert.Contains("/ogc/collections?f=html&amp;lang=en\"", landing);
        Assert.Contains("href=\"/ogc\" lang=\"vi\">Tiếng Việt</a>", landing);

        // A page of features: count, headings, land use and paging in English, its links staying English; lang is
        // not taken for a filter.
        var page = await Html("/ogc/collections/parcels/items?limit=5&offset=5&land_use=ODT&lang=en");
        var matched = await Scalar<long>("SELECT count(*) FROM parcels WHERE land_use = 'ODT'");
        Assert.Contains($"6–10 of {matched.ToString("N0", english)} features", page);
        Assert.Contains("Land use<br><code>land_use</code>", page);
        Assert.Contains($"ODT — {await Scalar<string>("SELECT meaning_en FROM land_use_codes WHERE code = 'ODT'")}", page);
        var last = await Scalar<long>("SELECT id FROM parcels WHERE land_use = 'ODT' ORDER BY id LIMIT 1 OFFSET 9");
        Assert.Contains($"land_use=ODT&amp;lang=en&amp;limit=5&amp;offset=10&amp;after={last}&amp;f=html\">next page", page);
        var first = long.Parse(System.Text.RegularExpressions.Regex.Match(page, @"/ogc/collections/parcels/items/(\d+)\?f=html&amp;lang=en").Groups[1].Value);
        Assert.Contains("&amp;lang=en\"></iframe>", page);   // the map (the widget) in English too

        // One feature: measures written the English way (1,809.7).
        var one = await Html($"/ogc/collections/parcels/items/{first}?f=html&lang=en");
        var area = await Scalar<double>("SELECT legal_area_m2::float8 FROM parcels WHERE id = $1", first);
        Assert.Contains($"<td>{area.ToString("#,##0.###", english)}</td>", one);
        Assert.Contains("Legal area (m²)", one);

        // A collection's attributes: kinds and statuses in English, notes from the catalogue.
        var assets = await Html("/ogc/collections/assets?lang=en");
        Assert.Contains("Security camera", assets);
        Assert.Contains("In service, Broken", assets);
        Assert.DoesNotContain("Camera an ninh", assets);
        var parcels = await Html("/ogc/collections/parcels?lang=en");
        Assert.Contains(WardMap.Tiles.TileCatalog.Find("parcels")!.Fields.First(f => f.Name == "land_use").Description, System.Net.WebUtility.HtmlDecode(parcels));
        // GIS clients are not affected: lang=en on the JSON is no filter and no error.
        Assert.Equal(1, (await c.GetFromJsonAsync<JsonElement>("/ogc/collections/parcels/items?limit=1&lang=en")).GetProperty("numberReturned").GetInt32());
    }

    [Fact]
    public async Task The_API_definition_gives_the_items_parameters_their_OGC_schemas()
    {
        // OGC API Features part 1 (/req/core/fc-limit-definition, fc-bbox-definition): clients such as GDAL 3.8+
        // size their pages from limit's maximum and default, and send bbox as one comma list.
        var api = await _server.Client().GetFromJsonAsync<JsonElement>("/openapi.json");
        var parameters = api.GetProperty("paths").GetProperty("/ogc/collections/{id}/items").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        var limit = parameters["limit"].GetProperty("schema");
        Assert.Equal("integer", limit.GetProperty("type").GetString());
        Assert.Equal(1, limit.GetProperty("minimum").GetInt32());
        Assert.Equal(10000, limit.GetProperty("maximum").GetInt32());
        Assert.Equal(100, limit.GetProperty("default").GetInt32());
        var bbox = parameters["bbox"];
        Assert.Equal("array", bbox.GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("number", bbox.GetProperty("schema").GetProperty("items").GetProperty("type").GetString());
        Assert.Equal((4, 6), (bbox.GetProperty("schema").GetProperty("minItems").GetInt32(), bbox.GetProperty("schema").GetProperty("maxItems").GetInt32()));
        Assert.False(bbox.GetProperty("explode").GetBoolean());   // style form, the default of a query parameter
        Assert.Equal("form", bbox.TryGetProperty("style", out var style) ? style.GetString() : "form");
        // What the definition promises, the server does: above the maximum is the maximum, below 1 a 400.
        var most = await _server.Client().GetFromJsonAsync<JsonElement>("/ogc/collections/parcels/items?limit=20000");
        Assert.Equal(Math.Min(10000, await Scalar<long>("SELECT count(*) FROM parcels")), most.GetProperty("numberReturned").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Client().GetAsync("/ogc/collections/parcels/items?limit=0")).StatusCode);
    }

    [Fact]
    public async Task GDAL_lists_the_collections_and_copies_a_layer_out_completely()
    {
        var url = $"OAPIF:{_server.BaseAddress.ToString().TrimEnd('/')}/ogc";
        var (code, output) = await Run("ogrinfo", "-ro", "-q", url);
        Assert.True(code == 0, output);
        foreach (var id in new[] { "parcels", "zones", "roads", "groups", "assets", "red_lines", "ward_boundary", "field_reports" }) Assert.Contains(id, output);
        Assert.Contains("parcels (title: Thửa đất)", output);   // what QGIS and GDAL show beside the id

        var file = Path.Combine(Path.GetTempPath(), $"wardmap-oapif-{Guid.NewGuid():N}.geojson");
        try
        {
            (code, output) = await Run("ogr2ogr", "-f", "GeoJSON", file, url, "parcels", "-oo", "PAGE_SIZE=200");
            Assert.True(code == 0, output);
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            var features = doc.RootElement.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(await Scalar<long>("SELECT count(*) FROM parcels"), features.Count);
            Assert.Equal(await Scalar<long>("SELECT count(DISTINCT id) FROM parcels"), features.Select(f => f.GetProperty("properties").GetProperty("sheet_no").GetInt32() * 100000 + f.GetProperty("properties").GetProperty("parcel_no").GetInt32()).Distinct().Count());
            Assert.DoesNotContain("owner", await File.ReadAllTextAsync(file));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task The_city_reads_the_field_reports_as_open_data_without_their_text_or_senders()
    {
        var (lon, lat) = (await Scalar<double>("SELECT ST_X(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1 OFFSET 30"),
                          await Scalar<double>("SELECT ST_Y(ST_PointOnSurface(geom)) FROM parcels ORDER BY id LIMIT 1 OFFSET 30"));
        var sent = await (await _server.Client().PostAsJsonAsync("/api/reports", new { category = "rubbish", text = "Rác bên nhà bà Tư", lon, lat, contact_name = "Phạm Thị Tư", contact_phone = "0987654321" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = sent.GetProperty("id").GetString();
        var c = _server.Client();
        var collection = await c.GetFromJsonAsync<JsonElement>("/ogc/collections/field_reports");
        Assert.Equal("Phản ánh hiện trường", collection.GetProperty("title").GetString());
        var items = await c.GetStringAsync("/ogc/collections/field_reports/items?status=new&limit=1000");
        using var doc = JsonDocument.Parse(items);
        var mine = doc.RootElement.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("properties").GetProperty("public_id").GetString() == id);
        Assert.Equal("rubbish", mine.GetProperty("properties").GetProperty("category").GetString());
        Assert.Equal(lon, mine.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), 6);
        foreach (var secret in new[] { "Phạm Thị Tư", "0987654321", "Rác bên nhà bà Tư" }) Assert.DoesNotContain(secret, items);
        // datetime selects by when they were sent (the other layers have no time: it selects all of them).
        var since = Uri.EscapeDataString($"{sent.GetProperty("created_at").GetDateTimeOffset().AddSeconds(-1):O}/..");
        Assert.Contains(id!, await c.GetStringAsync($"/ogc/collections/field_reports/items?datetime={since}&limit=1000"));
        Assert.Equal(0, (await c.GetFromJsonAsync<JsonElement>("/ogc/collections/field_reports/items?datetime=../2000-01-01T00:00:00Z")).GetProperty("numberReturned").GetInt32());
        Assert.NotEqual(0, (await c.GetFromJsonAsync<JsonElement>("/ogc/collections/roads/items?datetime=../2000-01-01T00:00:00Z")).GetProperty("numberReturned").GetInt32());

        // Read in a browser: the statuses in the words Vietnamese portals use, the attributes named; no sender.
        var html = await (await c.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/field_reports/items?status=new") { Headers = { { "Accept", "text/html" } } })).Content.ReadAsStringAsync();
        Assert.Contains("Chờ tiếp nhận", html);
        Assert.Contains("Loại phản ánh", html);
        Assert.DoesNotContain("Phạm Thị Tư", html);
        var about = await (await c.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/field_reports") { Headers = { { "Accept", "text/html" } } })).Content.ReadAsStringAsync();
        Assert.Contains("Chờ tiếp nhận, Đã tiếp nhận, Đang xử lý, Đã xử lý, Từ chối", about);
        Assert.DoesNotContain("Đang hoạt động", about);   // the assets' statuses are the assets'

        // GDAL lists it beside the other layers and copies it out.
        var url = $"OAPIF:{_server.BaseAddress.ToString().TrimEnd('/')}/ogc";
        var file = Path.Combine(Path.GetTempPath(), $"wardmap-reports-{Guid.NewGuid():N}.geojson");
        try
        {
            var (code, output) = await Run("ogr2ogr", "-f", "GeoJSON", file, url, "field_reports");
            Assert.True(code == 0, output);
            var copied = await File.ReadAllTextAsync(file);
            Assert.Contains(id!, copied);
            Assert.DoesNotContain("0987654321", copied);
        }
        finally { File.Delete(file); }
    }

    static async Task<(int, string)> Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync(); var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o + await e);
    }
}

/// <summary>The parcel extract: its numbers against the stored geometry, the PDF's text, the roles.</summary>
public sealed class ExtractTests : SampleWardTest
{
    RunningServer _server => Server;

    [Fact]
    public async Task The_extract_prints_edge_lengths_and_vertex_coordinates_of_the_stored_geometry()
    {
        var id = await _server.Db.ScalarAsync<long>("SELECT id FROM parcels WHERE land_use = 'ODT' ORDER BY id LIMIT 1 OFFSET 7");
        var officer = _server.Client(await _server.KeyAsync("officer"));
        var json = await officer.GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/extract.json");
        var vertices = json.GetProperty("vertices").EnumerateArray().ToList();
        var edges = json.GetProperty("edges").EnumerateArray().ToList();
        var n = await _server.Db.ScalarAsync<int>("SELECT ST_NPoints(ST_ExteriorRing(ST_GeometryN(geom, 1))) - 1 FROM parcels WHERE id = $1", id);
        Assert.Equal(n, vertices.Count);
        for (int i = 0; i < n; i++)
        {
            // X is the northing and Y the easting, in the parcel's own TM-3 zone, as the register prints them.
            var (e, north) = (await _server.Db.ScalarAsync<double>("SELECT ST_X(ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_Transform(geom, source_srid), 1)), $2)) FROM parcels WHERE id = $1", id, i + 1),
                              await _server.Db.ScalarAsync<double>("SELECT ST_Y(ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_Transform(geom, source_srid), 1)), $2)) FROM parcels WHERE id = $1", id, i + 1));
            Assert.Equal(Math.Round(north, 2), vertices[i].GetProperty("x").GetDouble(), 2);
            Assert.Equal(Math.Round(e, 2), vertices[i].GetProperty("y").GetDouble(), 2);
            var length = await _server.Db.ScalarAsync<double>("""
                SELECT ST_Length(ST_MakeLine(ST_PointN(r, $2), ST_PointN(r, $2 + 1)))
                FROM (SELECT ST_ExteriorRing(ST_GeometryN(ST_Transform(geom, source_srid), 1)) r FROM parcels WHERE id = $1) x
                """, id, i + 1);
            Assert.Equal(Math.Round(length, 2), edges[i].GetProperty("length_m").GetDouble(), 2);
        }

        var pdf = await officer.GetByteArrayAsync($"/api/parcels/{id}/extract.pdf");
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(pdf, 0, 4));
        var file = Path.Combine(Path.GetTempPath(), $"extract-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            var psi = new ProcessStartInfo("pdftotext", [file, "-"]) { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.Contains("TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH", text);
            var vi = System.Globalization.CultureInfo.GetCultureInfo("vi-VN");
            foreach (var e in edges) Assert.Contains(e.GetProperty("length_m").GetDouble().ToString("N2", vi), text);
            Assert.Contains(vertices[0].GetProperty("x").GetDouble().ToString("N2", vi), text);
        }
        finally { File.Delete(file); }

        var png = await officer.GetByteArrayAsync($"/api/parcels/{id}/extract.png");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(3, await _server.Db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'parcel.extract' AND target = $1", $"parcel {id}"));   // json, pdf, png
    }

    [Fact]
    public async Task The_extract_numbers_every_neighbour_inside_its_drawing()
    {
        // A town-house parcel in a grid of them: the neighbours' own middles lie beyond the drawing's frame above and below.
        var id = await _server.Db.ScalarAsync<long>("SELECT id FROM parcels WHERE land_use = 'ODT' ORDER BY id LIMIT 1 OFFSET 7");
        var officer = _server.Client(await _server.KeyAsync("officer"));
        var neighbours = (await officer.GetFromJsonAsync<JsonElement>($"/api/parcels/{id}/extract.json")).GetProperty("neighbours").EnumerateArray()
            .Select(n => n.GetProperty("parcel_no").GetInt32().ToString()).ToList();
        Assert.NotEmpty(neighbours);
        var file = Path.Combine(Path.GetTempPath(), $"extract-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, await officer.GetByteArrayAsync($"/api/parcels/{id}/extract.pdf"));
        try
        {
            // Each word with its box on the page (points from the top left), as pdftotext -bbox writes them.
            var psi = new ProcessStartInfo("pdftotext", ["-bbox", file, "-"]) { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            var html = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            var words = System.Text.RegularExpressions.Regex.Matches(html, @"<word xMin=""([\d.]+)"" yMin=""([\d.]+)"" xMax=""([\d.]+)"" yMax=""([\d.]+)"">([^<]*)</word>")
                .Select(m => (Text: System.Net.WebUtility.HtmlDecode(m.Groups[5].Value), Box: m.Groups.Values.Skip(1).Take(4).Select(g => double.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray()))
                .ToList();
            // The frame: a square between the page's margins (36 pt), below the header's last line (the CRS note).
            var header = words.Last(w => w.Text == "VN-2000,").Box;
            var (left, right) = (36.0, 595.0 - 36);
            var (top, bottom) = (header[3] + 6, header[3] + 6 + (right - left));
            foreach (var number in neighbours)
                Assert.True(words.Any(w => w.Text == number && w.Box[0] >= left && w.Box[2] <= right && w.Box[1] >= top && w.Box[3] <= bottom),
                    $"neighbour {number} is not numbered whole inside the drawing ({left}..{right} x {top:0}..{bottom:0}): " +
                    string.Join("; ", words.Where(w => w.Text == number).Select(w => string.Join(",", w.Box.Select(v => v.ToString("0"))))));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task Only_officers_get_extracts()
    {
        var id = await _server.Db.ScalarAsync<long>("SELECT min(id) FROM parcels");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().GetAsync($"/api/parcels/{id}/extract.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Client(await _server.KeyAsync("planner")).GetAsync($"/api/parcels/{id}/extract.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client(await _server.KeyAsync("admin")).GetAsync("/api/parcels/999999999/extract.pdf")).StatusCode);
    }
}
