using System.Net;
using System.Text.RegularExpressions;
using Connectory.Tests.Support;

namespace Connectory.Tests.ApiDocuments;

/// <summary>The API reference page (ApiDocuments:ReferencePage): served by the binary, asking nothing of other hosts.</summary>
public sealed partial class ReferencePageTests
{
    [GeneratedRegex(@"(?:src|href)\s*=\s*[""']([^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex Assets();

    [GeneratedRegex(@"(?:https?:)?//[A-Za-z0-9.-]+", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrls();

    [StoreIndependentFact]
    public async Task ThePageAndItsAssetsComeFromTheServiceAndNameNoOtherHost()
    {
        using var factory = ConnectoryFactory.With(new() { ["ApiDocuments:ReferencePage"] = "true" });
        var client = factory.Client(null);
        var page = await client.GetAsync("/openapi/reference/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode}: {html}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        var origin = factory.BaseAddress.GetLeftPart(UriPartial.Authority);
        var external = AbsoluteUrls().Matches(html).Select(m => m.Value)
            .Where(u => !u.Replace("http:", "", StringComparison.OrdinalIgnoreCase).Replace("https:", "", StringComparison.OrdinalIgnoreCase)
                .StartsWith("//" + factory.BaseAddress.Authority, StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(external.Count == 0, "external URLs in the page: " + string.Join(", ", external));

        var assets = Assets().Matches(html).Select(m => m.Groups[1].Value).Where(a => !a.StartsWith('#') && !a.StartsWith("data:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(assets);
        foreach (var asset in assets)
        {
            var url = new Uri(new Uri(origin + "/openapi/reference/"), asset);
            Assert.Equal(factory.BaseAddress.Authority, url.Authority);
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }
        // Every document the page offers is one this service serves.
        foreach (var document in Connectory.ApiDocuments.ApiDocumentCatalog.All)
        {
            Assert.Contains($"\"openapi/{document.Name}.json\"", html, StringComparison.Ordinal);
        }
        var index = await client.GetStringAsync("/openapi/");
        Assert.Contains("/openapi/reference", index, StringComparison.Ordinal);
    }
}
