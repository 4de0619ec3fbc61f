using System.Text.Json.Nodes;

namespace Connectory.Tests.Fuzzing;

/// <summary>One parameter of an operation: where it goes and the schema of its value.</summary>
sealed record SpecParameter(string Name, string In, bool Required, JsonObject Schema);

/// <summary>One operation of a published API document, with every <c>$ref</c> already resolved.</summary>
sealed record SpecOperation(string Document, string Method, string Path, IReadOnlyList<SpecParameter> Parameters, JsonNode? Body)
{
    public override string ToString() => $"{Method} {Path} ({Document})";
}

/// <summary>
/// The operations of every API document in ../shared/spec (OpenAPI 3 JSON, and Swagger 2 for QRS), plus the
/// connectivity namespace, which serves the data-connections, -credentials and -sources operations under its own prefix.
/// </summary>
static class SpecOperations
{
    static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    public static string SpecDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Connectory.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "spec"));
            }
        }
        throw new InvalidOperationException("The repository root (Connectory.slnx) is not above the test binaries.");
    }

    public static List<SpecOperation> Load()
    {
        var dir = SpecDirectory();
        var operations = new List<SpecOperation>();
        foreach (var name in new[] { "data-connections", "data-credentials", "data-sources", "dcaas" })
        {
            operations.AddRange(Read(name, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, name + ".openapi.json")))!.AsObject(), ""));
        }
        operations.AddRange(Read("qrs-dataconnection", JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "qrs-dataconnection.swagger.json")))!.AsObject(), "/qrs"));
        var connectivity = operations
            .Where(o => o.Document is "data-connections" or "data-credentials" or "data-sources")
            .Select(o => o with { Document = "connectivity/" + o.Document, Path = "/api/connectivity/" + o.Path["/api/v1/".Length..] })
            .ToList();
        operations.AddRange(connectivity);
        return operations;
    }

    static IEnumerable<SpecOperation> Read(string document, JsonObject root, string basePath)
    {
        foreach (var (path, item) in root["paths"]!.AsObject())
        {
            var shared = item!["parameters"] as JsonArray;
            foreach (var method in Methods)
            {
                if (item[method] is not JsonObject operation)
                {
                    continue;
                }
                var parameters = new List<SpecParameter>();
                JsonNode? body = null;
                foreach (var node in (shared ?? []).Concat(operation["parameters"] as JsonArray ?? []))
                {
                    var parameter = Resolve(root, node!).AsObject();
                    var where = parameter["in"]!.GetValue<string>();
                    // Swagger 2 keeps the schema beside the parameter, OpenAPI 3 under "schema"; a body parameter is the body.
                    var schema = parameter["schema"] is JsonNode s ? Resolve(root, s) : parameter;
                    if (where == "body")
                    {
                        body = Inline(root, schema, 0);
                        continue;
                    }
                    parameters.Add(new SpecParameter(parameter["name"]!.GetValue<string>(), where, parameter["required"]?.GetValue<bool>() == true, Inline(root, schema, 0).AsObject()));
                }
                if (operation["requestBody"] is JsonNode requestBody && Resolve(root, requestBody)["content"] is JsonObject content)
                {
                    var media = content["application/json"] ?? content.First().Value;
                    body = media?["schema"] is JsonNode schema ? Inline(root, schema, 0) : null;
                }
                yield return new SpecOperation(document, method.ToUpperInvariant(), basePath + path, parameters, body);
            }
        }
    }

    static JsonNode Resolve(JsonObject root, JsonNode node)
    {
        while (node is JsonObject o && o["$ref"] is JsonValue reference)
        {
            node = reference.GetValue<string>().TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Aggregate((JsonNode)root, (at, part) => at[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)]!);
        }
        return node;
    }

    /// <summary>A copy of the schema with references replaced by what they name (a chain of references is cut after a few).</summary>
    static JsonNode Inline(JsonObject root, JsonNode node, int references)
    {
        if (node is JsonObject { } o && o.ContainsKey("$ref") && ++references > 5)
        {
            return new JsonObject { ["type"] = "object" };
        }
        var resolved = Resolve(root, node);
        return resolved switch
        {
            JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Inline(root, p.Value, references)))),
            JsonArray a => new JsonArray([.. a.Select(e => e is null ? null : Inline(root, e, references))]),
            _ => resolved.DeepClone(),
        };
    }
}
