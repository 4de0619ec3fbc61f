using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connectory.ApiDocuments;

/// <summary>A served document: its JSON and the entity tag clients revalidate with.</summary>
internal sealed record CachedDocument(byte[] Json, string ETag);

/// <summary>
/// Each document is generated on its first request and kept for the life of the process: the endpoints it
/// describes are fixed once the app is built, so a start costs nothing and later requests cost a copy.
/// </summary>
internal sealed class ApiDocumentCache(IServiceProvider services)
{
    public static readonly OpenApiSpecVersion Version = OpenApiSpecVersion.OpenApi3_0;

    readonly ConcurrentDictionary<string, Lazy<Task<CachedDocument>>> documents = new();

    public async Task<CachedDocument> GetAsync(ApiDocument document)
    {
        var entry = documents.GetOrAdd(document.Name, name => new Lazy<Task<CachedDocument>>(() => GenerateAsync(name)));
        try
        {
            return await entry.Value;
        }
        catch
        {
            // A failed generation is not kept: the next request tries again.
            documents.TryRemove(new KeyValuePair<string, Lazy<Task<CachedDocument>>>(document.Name, entry));
            throw;
        }
    }

    async Task<CachedDocument> GenerateAsync(string name)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(name);
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);
        var json = Encoding.UTF8.GetBytes(await document.SerializeAsJsonAsync(Version, CancellationToken.None));
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, 16)) + "\"";
        return new CachedDocument(json, etag);
    }
}
