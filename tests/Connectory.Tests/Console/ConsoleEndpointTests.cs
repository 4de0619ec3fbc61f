using System.Net;
using System.Text.RegularExpressions;
using Connectory.Tests.Support;
using Connectory.WebConsole;

// Not Connectory.Tests.Console: that namespace would hide System.Console from the other test namespaces.
namespace Connectory.Tests.WebConsole;

/// <summary>
/// The console's files as the server sends them (no browser): its security headers, caching, the single-page fallback,
/// and that /console needs no sign-in and counts against no rate tier.
/// </summary>
public sealed partial class ConsoleEndpointTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static readonly string[] AssetPaths = ["/console/console.css", "/console/js/app.js", "/console/js/api.js", "/console/js/views/connections.js"];

    [StoreIndependentFact]
    public async Task ThePageIsServedWithoutSignInWithItsSecurityHeadersAndIsNeverStored()
    {
        var client = factory.Client(null);
        // The OAuth return page too: its address carries a code, so it is never stored and sends no referrer.
        foreach (var path in new[] { "/console", "/console/", "/console/index.html", "/console/oauth/callback?code=c-1&state=s-1" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            AssertSecurityHeaders(response);
            Assert.True(response.Headers.CacheControl?.NoStore, $"{path}: Cache-Control {response.Headers.CacheControl}");
            Assert.Contains("<script type=\"module\" src=\"/console/js/app.js\"></script>", await response.Content.ReadAsStringAsync());
        }
    }

    [StoreIndependentFact]
    public async Task ThePageHasNoInlineScriptStyleOrHandler()
    {
        var html = await factory.Client(null).GetStringAsync("/console");
        var scripts = ScriptElement().Matches(html);
        Assert.NotEmpty(scripts);
        foreach (Match script in scripts)
        {
            Assert.Matches(" src=\"/console/", script.Groups["attributes"].Value);
            Assert.True(script.Groups["body"].Value.Trim().Length == 0, $"inline script: {script.Value}");
        }
        Assert.DoesNotMatch("<style", html);
        Assert.DoesNotMatch(@"\sstyle\s*=", html);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
        Assert.DoesNotMatch("https?://", html);
    }

    [StoreIndependentFact]
    public async Task AssetsCarryAnETagAreRevalidatedAndAnswer304WhenUnchanged()
    {
        var client = factory.Client(null);
        foreach (var path in AssetPaths)
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertSecurityHeaders(response);
            Assert.True(response.Headers.CacheControl?.NoCache, $"{path}: Cache-Control {response.Headers.CacheControl}");
            Assert.False(response.Headers.CacheControl?.NoStore);
            var etag = response.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{path} has no ETag");
            Assert.Equal(path.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript", response.Content.Headers.ContentType?.MediaType);

            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.IfNoneMatch.Add(etag);
            using var unchanged = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        }
    }

    [StoreIndependentFact]
    public async Task UnknownConsolePathsAreThePageSoClientRoutesSurviveAReload()
    {
        using var response = await factory.Client(null).GetAsync("/console/connections/some-id/edit");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        AssertSecurityHeaders(response);
    }

    [StoreIndependentFact]
    public async Task TheConsoleNeedsNoKeyIgnoresABadOneAndCountsAgainstNoRateTier()
    {
        var tenant = await factory.NewTenantAsync();
        var signedIn = tenant.Admin;
        using (var api = await signedIn.GetAsync("/api/v1/users/me"))
        {
            Assert.True(api.Headers.Contains("RateLimit-Limit"), "the API's own answers carry the tier headers");
        }
        foreach (var client in new[] { factory.Client(null), factory.Client("not-a-key"), signedIn })
        {
            foreach (var path in AssetPaths.Prepend("/console"))
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.False(response.Headers.Contains("RateLimit-Limit"), $"{path} is counted by a rate tier");
                Assert.False(response.Headers.Contains("WWW-Authenticate"), $"{path} asks for sign-in");
            }
        }
    }

    [StoreIndependentFact]
    public async Task EveryModuleTheConsoleImportsIsServed()
    {
        var client = factory.Client(null);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(["/console/js/app.js"]);
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/javascript",
                $"{path}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            var source = await response.Content.ReadAsStringAsync();
            foreach (Match import in ImportFrom().Matches(source))
            {
                pending.Enqueue(new Uri(new Uri("http://host" + path), import.Groups["target"].Value).AbsolutePath);
            }
        }
        Assert.True(seen.Count >= 5, $"only {seen.Count} modules reached from app.js");
        // The page preloads exactly the modules app.js reaches, so none is fetched late or for nothing.
        var html = await client.GetStringAsync("/console");
        var preloaded = Preload().Matches(html).Select(m => m.Groups["href"].Value).Append("/console/js/app.js");
        Assert.Equal(seen.Order(StringComparer.Ordinal), preloaded.Order(StringComparer.Ordinal));
    }

    static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal(ConsoleEndpoints.ContentSecurityPolicy, Single(response, "Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", ConsoleEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", ConsoleEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Single(response, "Referrer-Policy"));
    }

    static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);

    [GeneratedRegex("<script(?<attributes>[^>]*)>(?<body>.*?)</script>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("""<link rel="modulepreload" href="(?<href>[^"]+)">""")]
    private static partial Regex Preload();

    [GeneratedRegex("""(?:import|from)\s*['"](?<target>\.[^'"]+)['"]""")]
    private static partial Regex ImportFrom();
}
