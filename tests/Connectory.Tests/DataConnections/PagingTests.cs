using System.Net;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class PagingTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static string NextHref(JsonElement page) => page.GetProperty("links").GetProperty("next").Str("href");

    [Theory]
    [InlineData("+qName")]
    [InlineData("-qName")]
    [InlineData("+qType")]
    [InlineData("-datasourceID")]
    [InlineData("+created")]
    [InlineData("-updated")]
    [InlineData("+_id")]
    [InlineData("-qName&caseinsensitive=true")]
    public async Task PagesWalkTheSameOrderAsOneUnpagedList(string sort)
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.NewSpaceAsync("shared", name: "Zeta");
        await tenant.NewSpaceAsync("shared", name: "alpha");
        for (var i = 0; i < 23; i++)
        {
            // Few distinct types and sources, so the id tie-breaker is exercised; some names differ only in case.
            await tenant.Admin.NewConnectionAsync(i % 5 == 0 ? $"Name{i:D2}" : $"name{i:D2}", edit: b =>
            {
                b["qType"] = $"type{i % 3}";
                b["datasourceID"] = $"ds{i % 2}";
            });
            if (i % 4 == 0)
            {
                factory.Clock.Offset += TimeSpan.FromMilliseconds(7);
            }
        }
        var query = $"sort={sort.Replace("+", "%2B", StringComparison.Ordinal)}";
        var whole = (await tenant.Admin.ListAsync(query)).GetProperty("data").EnumerateArray().Ids();
        Assert.Equal(26, whole.Count);
        foreach (var limit in new[] { 1, 4, 10, 25, 26, 100 })
        {
            var walked = (await tenant.Admin.WalkAsync($"{query}&limit={limit}")).Ids();
            Assert.Equal(whole, walked);
        }
    }

    [Fact]
    public async Task PrevLinksLeadBackPageByPageAcrossTheDataFilesRows()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.NewSpaceAsync("shared", name: "S1");
        await tenant.NewSpaceAsync("shared", name: "S2");
        for (var i = 0; i < 8; i++)
        {
            await tenant.Admin.NewConnectionAsync($"c{i}");
        }
        // 8 regular + 3 DataFiles = 11 rows in pages of 3.
        var pages = new List<JsonElement> { await tenant.Admin.ListAsync("limit=3") };
        while (pages[^1].GetProperty("links").TryGetProperty("next", out _))
        {
            pages.Add(await tenant.Admin.GetAsync(NextHref(pages[^1])).JsonAsync());
        }
        Assert.Equal([3, 3, 3, 2], pages.Select(p => p.GetProperty("data").GetArrayLength()));
        for (var i = pages.Count - 1; i > 0; i--)
        {
            var prevHref = pages[i].GetProperty("links").GetProperty("prev").Str("href");
            var back = await tenant.Admin.GetAsync(prevHref).JsonAsync();
            Assert.Equal(pages[i - 1].GetProperty("data").EnumerateArray().Ids(), back.GetProperty("data").EnumerateArray().Ids());
            Assert.True(back.GetProperty("links").TryGetProperty("next", out _));
            Assert.Equal(i > 1, back.GetProperty("links").TryGetProperty("prev", out _));
        }
    }

    [Fact]
    public async Task InsertsAndDeletesBetweenPagesCauseNoDuplicatesOrSkips()
    {
        var tenant = await factory.NewTenantAsync();
        var ids = new Dictionary<string, string>();
        foreach (var name in new[] { "b", "d", "f", "h", "j", "l", "n", "p" })
        {
            ids[name] = await tenant.Admin.NewConnectionAsync(name);
        }
        var first = await tenant.Admin.ListAsync("limit=3&noDatafiles=true");
        Assert.Equal(["b", "d", "f"], first.Names());

        // Delete a seen row and an unseen row, insert before and after the cursor.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{ids["d"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{ids["l"]}")).StatusCode);
        await tenant.Admin.NewConnectionAsync("a");
        await tenant.Admin.NewConnectionAsync("e");
        await tenant.Admin.NewConnectionAsync("g");
        await tenant.Admin.NewConnectionAsync("z");

        var rest = new List<string>();
        var page = await tenant.Admin.GetAsync(NextHref(first)).JsonAsync();
        while (true)
        {
            rest.AddRange(page.Names());
            if (!page.GetProperty("links").TryGetProperty("next", out var next))
            {
                break;
            }
            page = await tenant.Admin.GetAsync(next.Str("href")).JsonAsync();
        }
        // Everything after "f" as it is now: g (new), h, j, n, p, z (new); nothing before the cursor again.
        Assert.Equal(["g", "h", "j", "n", "p", "z"], rest);
    }

    [Fact]
    public async Task DeletingTheCursorRowItselfDoesNotBreakTheWalk()
    {
        var tenant = await factory.NewTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await tenant.Admin.NewConnectionAsync($"r{i}"));
        }
        var first = await tenant.Admin.ListAsync("limit=2&noDatafiles=true");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{ids[1]}")).StatusCode);
        var second = await tenant.Admin.GetAsync(NextHref(first)).JsonAsync();
        Assert.Equal(["r2", "r3"], second.Names());
    }

    [Fact]
    public async Task AlteredOrForeignPageTokensAreRejected()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 4; i++)
        {
            await tenant.Admin.NewConnectionAsync($"x{i}");
        }
        var first = await tenant.Admin.ListAsync("limit=2");
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(NextHref(first)).Query)["page"]!;
        var flipped = token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..];
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var badMac = token[..(dot + 1)] + new string('A', token.Length - dot - 1);
        foreach (var bad in new[] { flipped, badMac, "garbage", "", ".", "a.b", token + "x", token[..dot] })
        {
            if (bad.Length == 0)
            {
                continue;
            }
            var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit=2&page={Uri.EscapeDataString(bad)}"), HttpStatusCode.BadRequest);
            Assert.Contains("page", error.Detail(), StringComparison.Ordinal);
        }
        // A token is bound to the sort it was issued for.
        var otherSort = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit=2&sort=-qName&page={token}"), HttpStatusCode.BadRequest);
        Assert.Contains("page", otherSort.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit=2&caseinsensitive=true&page={token}"), HttpStatusCode.BadRequest);
        // The untouched token still works, with the query it was issued for (another noDatafiles is another query).
        Assert.Equal(["x2", "x3"], (await tenant.Admin.ListAsync($"limit=2&page={token}")).Names());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit=2&noDatafiles=true&page={token}"), HttpStatusCode.BadRequest, "DCERROR-0012");
    }

    [Fact]
    public async Task WalkUnderConcurrentWritesSeesEveryStableConnectionExactlyOnce()
    {
        var tenant = await factory.NewTenantAsync();
        var writer = await tenant.NewUserAsync("TenantAdmin");
        var stable = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            stable.Add(await tenant.Admin.NewConnectionAsync($"stable-{i:D2}"));
        }
        using var stop = new CancellationTokenSource();
        var churned = new HashSet<string>();
        var churn = Task.Run(async () =>
        {
            var random = new Random(4242);
            var live = new List<string>();
            for (var n = 0; !stop.IsCancellationRequested && n < 400; n++)
            {
                if (live.Count > 0 && random.Next(3) == 0)
                {
                    var victim = live[random.Next(live.Count)];
                    live.Remove(victim);
                    var deleted = await writer.Client.DeleteAsync($"{ConnectionApi.Path}/{victim}");
                    Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
                }
                else
                {
                    // Names interleave with the stable ones, before and after wherever the reader is.
                    var id = await writer.Client.NewConnectionAsync($"stable-{random.Next(60):D2}-churn-{n}");
                    live.Add(id);
                    lock (churned)
                    {
                        churned.Add(id);
                    }
                }
            }
        });

        var seen = new List<string>();
        var rounds = 0;
        do
        {
            seen.Clear();
            seen.AddRange((await tenant.Admin.WalkAsync("limit=10&noDatafiles=true")).Ids());
            rounds++;
        }
        while (!churn.IsCompleted && rounds < 3);
        await stop.CancelAsync();
        await churn;

        var stableSeen = seen.Where(stable.Contains).ToList();
        Assert.Equal(stableSeen.Count, stableSeen.Distinct().Count());
        Assert.Equal(stable.Order(StringComparer.Ordinal), stableSeen.Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(seen, id => Assert.True(stable.Contains(id) || churned.Contains(id)));
    }

    [Theory]
    [InlineData("qType")]
    [InlineData("datasourceID")]
    [InlineData("qName")]
    public async Task CaseInsensitivePagingOverNonAsciiValuesSkipsNothing(string field)
    {
        var tenant = await factory.NewTenantAsync();
        string[] values = ["Éclair", "éa", "Ünter", "über", "Zed", "zz", "Ångström", "år", "Ωmega", "ωa", "apple", "Banana"];
        var ids = new List<string>();
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            ids.Add(await tenant.Admin.NewConnectionAsync(field == "qName" ? value : $"n{i:D2}", edit: b =>
            {
                if (field != "qName")
                {
                    b[field] = value;
                }
            }));
        }
        foreach (var sort in new[] { field, "-" + field })
        {
            var query = $"noDatafiles=true&caseinsensitive=true&sort={sort}";
            var whole = (await tenant.Admin.ListAsync(query)).GetProperty("data").EnumerateArray().Ids();
            Assert.Equal(ids.Order(StringComparer.Ordinal), whole.Order(StringComparer.Ordinal));
            foreach (var limit in new[] { 1, 2, 5 })
            {
                Assert.Equal(whole, (await tenant.Admin.WalkAsync($"{query}&limit={limit}")).Ids());
            }
        }
    }
}
