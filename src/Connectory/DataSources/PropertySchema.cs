using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Connectory.DataSources;

internal enum PropertyType { String, Integer, Number, Boolean, Pairs }

/// <summary>
/// One connection property. <see cref="Secret"/>: kept encrypted in the credential store, never in the statement, never
/// read back. <see cref="CredentialUsername"/>: the credential's username (read back). <see cref="WriteOnly"/>: used
/// once (an OAuth code) and not kept. <see cref="PropertyType.Pairs"/> values are arrays of <c>{name, value}</c>; with
/// <see cref="Base64"/> (file properties) each value is base64 file content. <see cref="Uri"/>: an absolute http(s) URL.
/// </summary>
internal sealed record PropertySpec(
    string Name, PropertyType Type, bool Required, JsonNode? Default, IReadOnlyList<string>? Enum,
    bool Secret, bool CredentialUsername, bool WriteOnly, bool Base64, long? Minimum, long? Maximum, bool Uri = false)
{
    public bool InStatement => !Secret && !CredentialUsername && !WriteOnly;
}

internal sealed record PropertyProblem(string Property, string Message)
{
    public override string ToString() => $"'{Property}' {Message}";
}

/// <summary>The subset of JSON schema the definitions use: type, required, default, enum, minimum/maximum, base64 files.</summary>
internal sealed class PropertySchema
{
    PropertySchema(IReadOnlyList<PropertySpec> properties) => Properties = properties;

    public IReadOnlyList<PropertySpec> Properties { get; }

    public PropertySpec? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);

    public IEnumerable<PropertySpec> Secrets => Properties.Where(p => p.Secret && !p.WriteOnly);

    /// <summary>Reads a definition's schema; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static PropertySchema Read(JsonObject schema)
    {
        if (schema["type"]?.GetValue<string>() != "object" || schema["properties"] is not JsonObject properties)
        {
            throw new InvalidDataException("connectionProperties must be a JSON schema of type object with properties");
        }
        var required = (schema["required"] as JsonArray)?.Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
        foreach (var name in required.Where(r => !properties.ContainsKey(r)))
        {
            throw new InvalidDataException($"required names '{name}', which is not a property");
        }
        var specs = new List<PropertySpec>();
        foreach (var (name, node) in properties)
        {
            if (node is not JsonObject p)
            {
                throw new InvalidDataException($"property '{name}' must be an object");
            }
            var type = p["type"]?.GetValue<string>() switch
            {
                "string" => PropertyType.String,
                "integer" => PropertyType.Integer,
                "number" => PropertyType.Number,
                "boolean" => PropertyType.Boolean,
                "array" => PropertyType.Pairs,
                var other => throw new InvalidDataException($"property '{name}' has unsupported type '{other}'"),
            };
            var secret = p["secret"]?.GetValue<bool>() == true;
            var username = p["credential"]?.GetValue<string>() is { } credential
                ? credential == "username" ? true : throw new InvalidDataException($"property '{name}': credential must be 'username'")
                : false;
            var spec = new PropertySpec(
                name, type, required.Contains(name), p["default"]?.DeepClone(),
                (p["enum"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList(),
                secret, username, p["writeOnly"]?.GetValue<bool>() == true,
                p["contentEncoding"]?.GetValue<string>() == "base64",
                p["minimum"]?.GetValue<long>(), p["maximum"]?.GetValue<long>(),
                p["format"]?.GetValue<string>() switch
                {
                    null => false,
                    "uri" => true,
                    var format => throw new InvalidDataException($"property '{name}' has unsupported format '{format}'"),
                });
            if (secret && username)
            {
                throw new InvalidDataException($"property '{name}' cannot be both secret and the credential username");
            }
            // A key id held as the credential's username (AWS access keys) is the one secret-sounding name allowed in clear.
            if (!secret && !spec.WriteOnly && !username && DataConnections.ConnectionProperties.IsSecret(name))
            {
                throw new InvalidDataException($"property '{name}' looks like a secret but is not marked \"secret\": true");
            }
            if (spec.Enum is not null && type != PropertyType.String)
            {
                throw new InvalidDataException($"property '{name}': enum applies to strings only");
            }
            if (spec.Default is not null && Check(spec, spec.Default) is { } badDefault)
            {
                throw new InvalidDataException($"property '{name}': default {badDefault}");
            }
            specs.Add(spec);
        }
        if (specs.Count(s => s.CredentialUsername) > 1)
        {
            throw new InvalidDataException("at most one property can be the credential username");
        }
        return new PropertySchema(specs);
    }

    /// <summary>
    /// Checks a whole set of properties: every problem is reported (missing required, unknown, wrong type, bad enum),
    /// and defaults fill what is absent. Names in <paramref name="stored"/> (secrets kept from before) count as present.
    /// </summary>
    public (Dictionary<string, JsonNode> Values, List<PropertyProblem> Problems) Validate(JsonObject given, string dataSourceId, IReadOnlySet<string>? stored = null)
    {
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var problems = new List<PropertyProblem>();
        foreach (var (name, value) in given)
        {
            if (Find(name) is not { } spec)
            {
                problems.Add(new(name, $"is not a connection property of data source '{dataSourceId}'"));
            }
            else if (value is null)
            {
                if (spec.Required && spec.Default is null)
                {
                    problems.Add(new(name, "is required and cannot be null"));
                }
            }
            else if (Check(spec, value) is { } problem)
            {
                problems.Add(new(name, problem));
            }
            else
            {
                values[name] = value.DeepClone();
            }
        }
        foreach (var spec in Properties.Where(s => !values.ContainsKey(s.Name)))
        {
            if (spec.Default is not null)
            {
                values[spec.Name] = spec.Default.DeepClone();
            }
            else if (spec.Required && stored?.Contains(spec.Name) != true && !problems.Any(p => p.Property == spec.Name))
            {
                problems.Add(new(spec.Name, "is required"));
            }
        }
        return (values, problems);
    }

    /// <summary>Why <paramref name="value"/> does not fit <paramref name="spec"/>, or null when it does.</summary>
    public static string? Check(PropertySpec spec, JsonNode value)
    {
        var kind = value.GetValueKind();
        switch (spec.Type)
        {
            case PropertyType.String:
                if (kind != JsonValueKind.String)
                {
                    return $"must be a string, not {Describe(kind)}";
                }
                var text = value.GetValue<string>();
                if (spec.Uri && !(System.Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                {
                    return "must be an absolute http or https URL";
                }
                return spec.Enum is { } allowed && !allowed.Contains(text, StringComparer.Ordinal)
                    ? $"must be one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}, not '{text}'"
                    : null;
            case PropertyType.Integer:
                if (kind != JsonValueKind.Number || !value.AsValue().TryGetValue<long>(out var whole))
                {
                    return $"must be an integer, not {Describe(kind)}";
                }
                return Range(spec, whole);
            case PropertyType.Number:
                return kind == JsonValueKind.Number ? null : $"must be a number, not {Describe(kind)}";
            case PropertyType.Boolean:
                return kind is JsonValueKind.True or JsonValueKind.False ? null : $"must be a boolean, not {Describe(kind)}";
            case PropertyType.Pairs:
                if (value is not JsonArray items)
                {
                    return $"must be an array of {{name, value}} objects, not {Describe(kind)}";
                }
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is not JsonObject item || item["name"]?.GetValueKind() != JsonValueKind.String
                        || item["value"]?.GetValueKind() != JsonValueKind.String || item.Count != 2)
                    {
                        return $"item {i} must be an object with string 'name' and 'value' only";
                    }
                    if (spec.Base64 && !IsBase64(item["value"]!.GetValue<string>()))
                    {
                        return $"item {i} ('{item["name"]}') must carry its file content as base64";
                    }
                }
                return null;
            default:
                return "has an unknown type";
        }
    }

    static string? Range(PropertySpec spec, long value) =>
        value < spec.Minimum ? $"must be at least {spec.Minimum}, not {value}"
        : value > spec.Maximum ? $"must be at most {spec.Maximum}, not {value}"
        : null;

    static bool IsBase64(string text) => Convert.TryFromBase64String(text, new byte[text.Length], out _);

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>The statement text of a checked value.</summary>
    public static string ToText(PropertySpec spec, JsonNode value) => spec.Type switch
    {
        PropertyType.String => value.GetValue<string>(),
        PropertyType.Integer => value.GetValue<long>().ToString(CultureInfo.InvariantCulture),
        PropertyType.Number => value.GetValue<double>().ToString("R", CultureInfo.InvariantCulture),
        PropertyType.Boolean => value.GetValue<bool>() ? "true" : "false",
        PropertyType.Pairs => DataConnections.ConnectStatement.EncodeList(
            value.AsArray().Select(i => new KeyValuePair<string, string>(i!["name"]!.GetValue<string>(), i["value"]!.GetValue<string>()))),
        _ => value.ToJsonString(),
    };

    /// <summary>The typed value of statement text; text that does not parse as the type comes back as a string.</summary>
    public static JsonNode FromText(PropertySpec spec, string text) => spec.Type switch
    {
        PropertyType.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
        PropertyType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        PropertyType.Boolean when bool.TryParse(text, out var flag) => JsonValue.Create(flag),
        PropertyType.Pairs => new JsonArray(DataConnections.ConnectStatement.DecodeList(text)
            .Select(i => (JsonNode)new JsonObject { ["name"] = i.Key, ["value"] = i.Value }).ToArray()),
        _ => JsonValue.Create(text),
    };
}
