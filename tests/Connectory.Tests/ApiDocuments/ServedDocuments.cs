using System.Net;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.ApiDocuments;

/// <summary>The served documents, fetched as a client would, and Qlik's published ones from shared/spec.</summary>
static class ServedDocuments
{
    /// <summary>Each document the index lists, by name, as served (without signing in).</summary>
    public static async Task<Dictionary<string, JsonElement>> FetchAllAsync(ConnectoryFactory factory)
    {
        var client = factory.Client(null);
        var index = await client.GetAsync("/openapi/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        var documents = new Dictionary<string, JsonElement>();
        foreach (var entry in JsonDocument.Parse(await index.Content.ReadAsStringAsync()).RootElement.GetProperty("documents").EnumerateArray())
        {
            var response = await client.GetAsync(entry.GetProperty("url").GetString());
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{entry}: {(int)response.StatusCode} {text}");
            documents.Add(entry.GetProperty("name").GetString()!, JsonDocument.Parse(text).RootElement.Clone());
        }
        return documents;
    }

    /// <summary>"GET /api/v1/data-connections/{qID}" and the like, with each operation's parameters as "in:name".</summary>
    public static Dictionary<string, SortedSet<string>> Operations(JsonElement document)
    {
        var basePath = document.TryGetProperty("basePath", out var b) ? b.GetString()!.TrimEnd('/') : "";
        var operations = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var shared = path.Value.TryGetProperty("parameters", out var common) ? common.EnumerateArray().ToList() : [];
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "put" or "post" or "patch" or "delete" or "head" or "options"))
            {
                var parameters = new SortedSet<string>(StringComparer.Ordinal);
                var own = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray() : default;
                foreach (var raw in shared.Concat(own))
                {
                    var parameter = Resolve(document, raw);
                    var where = parameter.GetProperty("in").GetString()!;
                    if (where == "body")
                    {
                        continue; // Swagger 2's request body
                    }
                    var name = parameter.GetProperty("name").GetString()!;
                    // Header names are case-insensitive; query and path names are not.
                    parameters.Add($"{where}:{(where == "header" ? name.ToLowerInvariant() : name)}");
                }
                operations.Add($"{operation.Name.ToUpperInvariant()} {(basePath + path.Name).TrimEnd('/')}", parameters);
            }
        }
        return operations;
    }

    public static IEnumerable<string> SchemaNames(JsonElement document) =>
        (document.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s.EnumerateObject().Select(p => p.Name) : [])
        .Concat(document.TryGetProperty("definitions", out var d) ? d.EnumerateObject().Select(p => p.Name) : []);

    static JsonElement Resolve(JsonElement document, JsonElement value)
    {
        if (!value.TryGetProperty("$ref", out var reference))
        {
            return value;
        }
        var target = document;
        foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
        {
            target = target.GetProperty(part);
        }
        return target;
    }

    /// <summary>shared/spec, beside the repository (found by walking up to the folder that holds Connectory.slnx).</summary>
    public static string SpecFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Connectory.slnx")))
            {
                var file = Path.Combine(dir.FullName, "..", "shared", "spec", name);
                Assert.True(File.Exists(file), $"{file} is missing: the API documents live in shared/spec beside the repository.");
                return file;
            }
        }
        throw new InvalidOperationException("No Connectory.slnx above " + AppContext.BaseDirectory);
    }
}
