using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Connectory.ApiDocuments;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Connectory.Tests.ApiDocuments;

/// <summary>The served OpenAPI documents: every route in one, nothing documented that is not routed, each valid OpenAPI.</summary>
public sealed class ApiDocumentTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [StoreIndependentFact]
    public async Task EveryMappedRouteIsInExactlyOneDocumentAndEveryDocumentedOperationIsMapped()
    {
        var documents = await ServedDocuments.FetchAllAsync(factory);
        var documented = documents
            .SelectMany(d => ServedDocuments.Operations(d.Value).Keys.Select(operation => (operation, document: d.Key)))
            .ToList();
        var twice = documented.GroupBy(o => o.operation).Where(g => g.Count() > 1).Select(g => $"{g.Key} in {string.Join(", ", g.Select(o => o.document))}");
        Assert.True(!twice.Any(), "operations in more than one document: " + string.Join(", ", twice));

        var mapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
            {
                continue; // the documents themselves
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is null or { Count: 0 } && endpoint.DisplayName is { } name && (name.StartsWith("404 ", StringComparison.Ordinal) || name.StartsWith("405 ", StringComparison.Ordinal)))
            {
                continue; // a family's answers for what matches none of its routes
            }
            var path = "/" + RoutePaths.WithoutConstraints(endpoint.RoutePattern.RawText ?? "").Trim('/');
            // The health probes take any method; they are documented as the GET that probes send.
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                mapped.Add($"{method} {path}");
            }
        }
        var documentedSet = documented.Select(o => o.operation).ToHashSet();
        var undocumented = mapped.Where(m => !documentedSet.Contains(m)).ToList();
        Assert.True(undocumented.Count == 0, "routes in no document: " + string.Join(", ", undocumented));
        var unrouted = documentedSet.Where(d => !mapped.Contains(d)).Order().ToList();
        Assert.True(unrouted.Count == 0, "documented operations no route serves: " + string.Join(", ", unrouted));
        // Both faces of each namespaced API, QRS and DCaaS are among them.
        Assert.Contains("GET /api/connectivity/data-connections/{qID}", documentedSet);
        Assert.Contains("POST /api/connectivity/data-sources/endpoints/actions/filter", documentedSet);
        Assert.Contains("PUT /qrs/dataconnection/{id}", documentedSet);
        Assert.Contains("GET /api/v1/dcaas/actions/data-connections/{connectionId}", documentedSet);
    }

    [StoreIndependentFact]
    public async Task EachDocumentParsesAndValidatesAsOpenApi()
    {
        var client = factory.Client(null);
        foreach (var document in ApiDocumentCatalog.All)
        {
            var text = await client.GetStringAsync($"/openapi/{document.Name}.json");
            var read = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
            Assert.True(read.Diagnostic is null || read.Diagnostic.Errors.Count == 0,
                $"{document.Name}: {string.Join("; ", read.Diagnostic?.Errors.Select(e => $"{e.Pointer} {e.Message}") ?? [])}");
            Assert.Equal(OpenApiSpecVersion.OpenApi3_0, read.Diagnostic!.SpecificationVersion);
            Assert.NotNull(read.Document);
            var errors = read.Document.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
            Assert.True(errors.Count == 0, $"{document.Name}: {string.Join("; ", errors.Select(e => $"{e.Pointer} {e.Message}"))}");
            Assert.NotEmpty(read.Document.Paths);
        }
    }

    [StoreIndependentFact]
    public async Task DocumentsDescribeTheServicesOwnErrorsLimitsAndSignIn()
    {
        var documents = await ServedDocuments.FetchAllAsync(factory);
        var list = documents["data-connections"].GetProperty("paths").GetProperty("/api/v1/data-connections").GetProperty("get");
        var tooMany = list.GetProperty("responses").GetProperty("429");
        foreach (var header in new[] { "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset" })
        {
            Assert.True(tooMany.GetProperty("headers").TryGetProperty(header, out _), header);
        }
        Assert.True(list.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("RateLimit-Remaining", out _));
        Assert.Equal("#/components/schemas/ResponseErrors", list.GetProperty("responses").GetProperty("400").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/Connections", list.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("bearer", list.GetProperty("security")[0].EnumerateObject().Single().Name);
        Assert.Equal("bearer", documents["data-connections"].GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());

        // Each family's own error shape: DCaaS JSON with PublicApiError items, QRS plain text and its Xrfkey pair.
        var dcaasError = documents["dcaas"].GetProperty("components").GetProperty("schemas").GetProperty("ResponseErrors")
            .GetProperty("properties").GetProperty("errors").GetProperty("items").GetProperty("properties");
        Assert.True(dcaasError.TryGetProperty("meta", out _));
        Assert.False(dcaasError.TryGetProperty("status", out _), "DCaaS errors carry no status");
        var qrsGet = documents["qrs-dataconnection"].GetProperty("paths").GetProperty("/qrs/dataconnection/{id}").GetProperty("get");
        Assert.True(qrsGet.GetProperty("responses").GetProperty("404").GetProperty("content").TryGetProperty("text/plain", out _));
        Assert.Contains(qrsGet.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Xrfkey" && p.GetProperty("required").GetBoolean());
        Assert.False(qrsGet.GetProperty("responses").TryGetProperty("429", out _), "the rate tiers count /api only");

        // The resolver reads its body by hand: the document still says what it takes and answers.
        var resolve = documents["connectivity-data-sources"].GetProperty("paths").GetProperty("/api/connectivity/data-sources/endpoints/actions/filter").GetProperty("post");
        Assert.Equal("#/components/schemas/PostEndpointRequest", resolve.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(resolve.GetProperty("responses").TryGetProperty("201", out _));

        // The connectivity namespace's own document carries its own paths only.
        Assert.All(documents["connectivity-data-connections"].GetProperty("paths").EnumerateObject(), p => Assert.StartsWith("/api/connectivity/", p.Name, StringComparison.Ordinal));
        Assert.All(documents["data-connections"].GetProperty("paths").EnumerateObject(), p => Assert.StartsWith("/api/v1/data-connections", p.Name, StringComparison.Ordinal));
        // Without Hosting:PublicUrl no server is named: clients resolve paths against where they fetched the document.
        Assert.False(documents["users"].TryGetProperty("servers", out var servers) && servers.GetArrayLength() > 0);
    }

    [StoreIndependentFact]
    public async Task DocumentsAreServedOnceGeneratedAndRevalidatedByTheirEntityTag()
    {
        var client = factory.Client(null);
        var first = await client.GetAsync("/openapi/spaces.json");
        var second = await client.GetAsync("/openapi/spaces.json");
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal(etag, second.Headers.ETag);

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/openapi/spaces.json");
        revalidate.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/openapi/spaces.json");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\""));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(stale)).StatusCode);
    }

    [StoreIndependentFact]
    public async Task UnknownDocumentsAre404InTheCloudShapeAndTheIndexNeedsNoSignIn()
    {
        var client = factory.Client(null);
        var missing = await client.GetAsync("/openapi/nothing-here.json");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
        Assert.Equal("DCERROR-0040", error.GetProperty("code").GetString());
        Assert.Equal(404, error.GetProperty("status").GetInt32());
        foreach (var path in new[] { "/openapi/..%2Fappsettings.json", "/openapi/%2e%2e.json", "/openapi/DATA-CONNECTIONS.json" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }

        var index = JsonDocument.Parse(await client.GetStringAsync("/openapi")).RootElement;
        Assert.Equal(ApiDocumentCatalog.All.Select(d => d.Name), index.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.All(index.GetProperty("documents").EnumerateArray(), d => Assert.StartsWith(factory.BaseAddress.ToString().TrimEnd('/') + "/openapi/", d.GetProperty("url").GetString(), StringComparison.Ordinal));
        Assert.False(index.TryGetProperty("reference", out _), "the reference page is off by default");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/openapi/reference")).StatusCode);
    }
}
