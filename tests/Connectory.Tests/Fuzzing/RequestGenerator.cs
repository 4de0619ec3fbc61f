using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Connectory.Tests.Fuzzing;

/// <summary>Ids of things that exist, so generated requests reach past "not found" to the code behind it.</summary>
sealed record FuzzTargets(string ConnectionId, string CredentialId, string QrsId, string SpaceId, string DataSourceId);

/// <summary>A generated request: method, path and query, body text and content type.</summary>
sealed record FuzzRequest(string Method, string Target, string? Body, string ContentType);

/// <summary>
/// Requests for an operation from its schema: mostly valid, some at the boundaries, some broken (wrong types, missing
/// or unknown members, malformed JSON, odd Unicode, injection strings, huge values).
/// </summary>
sealed class RequestGenerator(Random random, FuzzTargets targets)
{
    static readonly string[] Hostile =
    [
        "", " ", "\t", "'", "\"", "\\", "' OR '1'='1", "\"; DROP TABLE data_connections; --", "1; SELECT pg_sleep(5)",
        "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "<script>alert(1)</script>", "../../../../etc/passwd", "%00", "%2e%2e%2f",
        "\u0000", "a\u0000b", "\r\nX-Injected: 1", "\u202Eevil", "zero\u200Bwidth", "\uFEFF", "\uD83D\uDE00", "名前", "Ω≈ç√",
        "null", "true", "-1", "0", "NaN", "Infinity", "1e309", "9223372036854775808", "00000000-0000-0000-0000-000000000000",
        "qName eq \"x\"", "qName eq \"x\" or (qType sw \"Q\" and not (tags eq \"a\"))", "((((((((((", "qName eq", "x\") or 1=1 or (\"",
        "*", "%", "_", "[]", "{}", "__proto__", "constructor",
    ];

    static readonly string[] Filters =
    [
        "qName eq \"a\"", "qName sw \"f\"", "qType eq \"QvOdbcPostgres.exe\"", "space eq \"personal\"", "tags eq \"t\"",
        "not (qName co \"x\")", "created gt \"2020-01-01T00:00:00Z\"", "qName eq \"a\" and qType pr", "name eq 'x'",
        "name sw 'a' and type eq 'folder'", "(((qName eq \"a\")))", "id eq 5", "qName eq \"a\" or", "qName xx \"a\"",
    ];

    public FuzzRequest Next(SpecOperation operation)
    {
        var mode = random.Next(10) switch { < 5 => Mode.Valid, < 7 => Mode.Boundary, _ => Mode.Broken };
        var path = operation.Path;
        var query = new List<string>();
        foreach (var parameter in operation.Parameters)
        {
            if (parameter.In == "path")
            {
                path = path.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(PathValue(parameter, mode)), StringComparison.Ordinal);
            }
            else if (parameter.In == "query" && (parameter.Required || random.Next(3) == 0))
            {
                query.Add(Uri.EscapeDataString(parameter.Name) + "=" + Uri.EscapeDataString(QueryValue(parameter, mode)));
            }
        }
        if (operation.Document == "qrs-dataconnection" && random.Next(10) != 0)
        {
            query.Add("xrfkey=abcdefghij012345");
        }
        var target = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        if (operation.Method is "GET" or "DELETE")
        {
            return new FuzzRequest(operation.Method, target, null, "application/json");
        }
        var contentType = operation.Method == "PATCH" && random.Next(2) == 0 ? "application/json-patch+json"
            : random.Next(25) == 0 ? "text/plain" : "application/json";
        return new FuzzRequest(operation.Method, target, Body(operation, mode), contentType);
    }

    enum Mode { Valid, Boundary, Broken }

    string PathValue(SpecParameter parameter, Mode mode)
    {
        if (mode == Mode.Valid || random.Next(3) == 0)
        {
            return parameter.Name switch
            {
                "qID" or "connectionId" or "id" => Pick(targets.ConnectionId, targets.CredentialId, targets.QrsId, Guid.NewGuid().ToString()),
                "dataSourceId" => Pick(targets.DataSourceId, "snowflake", "rest", "nope"),
                _ => Guid.NewGuid().ToString(),
            };
        }
        var text = Pick(Hostile);
        return text.Length == 0 || text is "." or ".." ? "x" : text;
    }

    string QueryValue(SpecParameter parameter, Mode mode)
    {
        if (parameter.Name == "filter")
        {
            return mode == Mode.Broken ? Pick(Hostile) : Pick(Filters);
        }
        if (mode == Mode.Broken)
        {
            return random.Next(4) == 0 ? new string('x', random.Next(100, 9000)) : Pick(Hostile);
        }
        return Scalar(parameter.Schema, mode)?.ToJsonString().Trim('"') ?? "";
    }

    string Body(SpecOperation operation, Mode mode)
    {
        if (mode == Mode.Broken && random.Next(3) == 0)
        {
            return Pick("", "{", "}", "[", "null", "0", "\"x\"", "{\"a\":", "{\"a\" 1}", "[1,2,", "\u0000", "{\"qName\":\"\\ud800\"}",
                new string('[', 5000) + new string(']', 5000), "{\"x\":" + new string('9', 400) + "}", "{\"a\":1,\"a\":2}");
        }
        var schema = operation.Body ?? new JsonObject { ["type"] = "object" };
        var value = Value(schema, mode, 0);
        if (mode == Mode.Broken && value is JsonObject broken)
        {
            Break(broken);
        }
        return value?.ToJsonString() ?? "null";
    }

    void Break(JsonObject body)
    {
        var keys = body.Select(p => p.Key).ToList();
        switch (random.Next(4))
        {
            case 0 when keys.Count > 0:
                body.Remove(Pick([.. keys]));
                break;
            case 1 when keys.Count > 0:
                body[Pick([.. keys])] = Pick<JsonNode?>(null, 42, true, new JsonArray(), new JsonObject(), JsonValue.Create(new string('x', 70_000)));
                break;
            case 2:
                body[Pick(Hostile)] = Pick(Hostile);
                break;
            default:
                foreach (var key in keys)
                {
                    body[key] = Pick(Hostile);
                }
                break;
        }
    }

    JsonNode? Value(JsonNode schema, Mode mode, int depth)
    {
        if (schema is not JsonObject s)
        {
            return null;
        }
        if ((s["oneOf"] ?? s["anyOf"]) is JsonArray choices && choices.Count > 0)
        {
            return Value(choices[random.Next(choices.Count)]!, mode, depth);
        }
        if (s["allOf"] is JsonArray parts)
        {
            var merged = new JsonObject();
            foreach (var part in parts)
            {
                if (Value(part!, mode, depth) is JsonObject o)
                {
                    foreach (var (key, val) in o.ToList())
                    {
                        o.Remove(key);
                        merged[key] = val;
                    }
                }
            }
            return merged;
        }
        var type = s["type"]?.GetValue<string>() ?? (s["properties"] is not null ? "object" : "string");
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                if (depth > 4)
                {
                    return result;
                }
                var required = (s["required"] as JsonArray)?.Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
                foreach (var (name, property) in s["properties"] as JsonObject ?? [])
                {
                    if (required.Contains(name) || random.Next(2) == 0)
                    {
                        result[name] = Value(property!, mode, depth + 1);
                    }
                }
                return result;
            case "array":
                var array = new JsonArray();
                var count = mode == Mode.Boundary ? Pick(0, 1, 101, 150) : random.Next(0, 4);
                for (var i = 0; i < count && depth <= 4; i++)
                {
                    array.Add(Value(s["items"] ?? new JsonObject(), mode == Mode.Boundary ? Mode.Valid : mode, depth + 1));
                }
                return array;
            default:
                return Scalar(s, mode);
        }
    }

    JsonNode? Scalar(JsonObject s, Mode mode)
    {
        if (s["enum"] is JsonArray values && values.Count > 0 && mode == Mode.Valid)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }
        return (s["type"]?.GetValue<string>() ?? "string") switch
        {
            "integer" => mode == Mode.Boundary ? Pick<JsonNode?>(0, -1, 1, 100, 101, int.MaxValue, long.MinValue) : random.Next(0, 50),
            "number" => mode == Mode.Boundary ? Pick<JsonNode?>(0.5, -1e300, 1e300) : random.NextDouble(),
            "boolean" => random.Next(2) == 0,
            _ => s["format"]?.GetValue<string>() switch
            {
                "uuid" when mode == Mode.Valid => Pick(targets.ConnectionId, targets.CredentialId, Guid.NewGuid().ToString()),
                "date-time" when mode == Mode.Valid => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                _ => mode switch
                {
                    Mode.Valid => "fuzz-" + random.Next(100_000).ToString(CultureInfo.InvariantCulture),
                    Mode.Boundary => Pick("", " ", new string('n', 256), new string('n', 257), new string('é', 1025), Unicode()),
                    _ => Pick(Hostile),
                },
            },
        };
    }

    /// <summary>A string of random code points, surrogate pairs and all.</summary>
    string Unicode()
    {
        var text = new StringBuilder();
        for (var i = random.Next(1, 40); i > 0; i--)
        {
            var codePoint = random.Next(3) == 0 ? random.Next(0x10000, 0x10FFFF) : random.Next(0x20, 0xD7FF);
            text.Append(char.ConvertFromUtf32(codePoint));
        }
        return text.ToString();
    }

    T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];
}
