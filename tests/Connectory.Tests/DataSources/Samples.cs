using System.Text;
using System.Text.Json.Nodes;
using Connectory.DataSources;

namespace Connectory.Tests.DataSources;

/// <summary>Property values for any definition, chosen to stress quoting: semicolons, quotes, spaces, non-default enums.</summary>
static class Samples
{
    public const string SecretMarker = "s3cr3t;'\"-value";

    internal static JsonObject For(DataSourceDefinition definition, bool includeOAuth = false)
    {
        var result = new JsonObject();
        foreach (var spec in definition.Schema.Properties)
        {
            if (spec.WriteOnly && !includeOAuth)
            {
                continue;
            }
            result[spec.Name] = Value(spec);
        }
        return result;
    }

    internal static JsonNode Value(PropertySpec spec) => spec switch
    {
        { Secret: true, Type: PropertyType.Pairs } => new JsonArray(new JsonObject { ["name"] = "key.json", ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"private_key\":\"" + SecretMarker + "\"}")) }),
        { Secret: true } => SecretMarker + spec.Name,
        { Enum: { Count: > 0 } values } => values[^1],
        { Uri: true } => "https://api.example.test/v1/items?a=1;b='2'",
        { Type: PropertyType.String, Name: "path" } => "/srv/data/sales 2024",
        { Type: PropertyType.String } => $"{spec.Name} x;y='z'",
        { Type: PropertyType.Integer } => Math.Clamp(4242L, spec.Minimum ?? long.MinValue, spec.Maximum ?? long.MaxValue),
        { Type: PropertyType.Number } => 2.5,
        { Type: PropertyType.Boolean } => !(spec.Default?.GetValue<bool>() ?? false),
        { Base64: true } => new JsonArray(new JsonObject { ["name"] = "ca.pem", ["value"] = Convert.ToBase64String([1, 2, 3, 250]) }),
        _ => new JsonArray(new JsonObject { ["name"] = "limit", ["value"] = "100" }, new JsonObject { ["name"] = "X-Trace Id", ["value"] = "a=b" }),
    };

    /// <summary>What reading a connection back gives: everything but secrets and write-only properties.</summary>
    internal static JsonObject Readable(DataSourceDefinition definition, JsonObject given)
    {
        var result = new JsonObject();
        foreach (var (name, value) in given)
        {
            if (definition.Schema.Find(name) is { Secret: false, WriteOnly: false })
            {
                result[name] = value?.DeepClone();
            }
        }
        return result;
    }
}
