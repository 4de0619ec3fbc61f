using System.Text.Json.Nodes;
using Connectory.DataConnections;

namespace Connectory.DataSources;

/// <summary>
/// A definition's connect statement: either one location placeholder (<c>{path}</c>) or a keyed statement
/// (<c>CUSTOM CONNECT TO "provider=x.exe;host={host};"</c>) whose values are constants or whole placeholders.
/// Printing goes through <see cref="ConnectStatement"/>, so quoting is the parser's own and reading back is exact.
/// </summary>
internal sealed class StatementTemplate
{
    readonly ConnectStatement shape;
    readonly string? locationProperty;
    readonly Dictionary<string, PropertySpec> specs;

    StatementTemplate(ConnectStatement shape, string? locationProperty, Dictionary<string, PropertySpec> specs)
    {
        this.shape = shape;
        this.locationProperty = locationProperty;
        this.specs = specs;
    }

    /// <summary>Reads a template against its schema; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static StatementTemplate Read(string template, PropertySchema schema)
    {
        var specs = new Dictionary<string, PropertySpec>(StringComparer.Ordinal);
        void Use(string name)
        {
            if (schema.Find(name) is not { } spec)
            {
                throw new InvalidDataException($"connectStatement names '{{{name}}}', which is not a property");
            }
            if (!spec.InStatement)
            {
                throw new InvalidDataException($"connectStatement names '{{{name}}}', a secret, credential or write-only property; those never enter the statement");
            }
            if (!specs.TryAdd(name, spec))
            {
                throw new InvalidDataException($"connectStatement names '{{{name}}}' twice");
            }
        }
        var trimmed = template.Trim();
        ConnectStatement shape;
        string? location = null;
        if (Placeholder(trimmed) is { } whole)
        {
            Use(whole);
            location = whole;
            shape = new ConnectStatement(ConnectKind.Folder, []);
        }
        else
        {
            shape = ConnectStatement.Parse(trimmed);
            if (shape.Kind is ConnectKind.Folder or ConnectKind.Url)
            {
                throw new InvalidDataException("connectStatement must be CUSTOM/ODBC/OLEDB CONNECT TO ... or a single {property} placeholder");
            }
            foreach (var (key, value) in shape.Properties)
            {
                if (Placeholder(value) is { } name)
                {
                    Use(name);
                }
                else if (value.Contains('{', StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"connectStatement value of '{key}' must be a constant or one whole {{property}}");
                }
            }
        }
        foreach (var missing in schema.Properties.Where(p => p.InStatement && !specs.ContainsKey(p.Name)))
        {
            throw new InvalidDataException($"property '{missing.Name}' is neither secret, credential nor write-only, so connectStatement must hold it");
        }
        return new StatementTemplate(shape, location, specs);
    }

    static string? Placeholder(string value) =>
        value.Length > 2 && value[0] == '{' && value[^1] == '}' && value.IndexOfAny(['{', '}'], 1, value.Length - 2) < 0 ? value[1..^1] : null;

    /// <summary>The statement for checked values; an absent optional property leaves its key out.</summary>
    public string Print(IReadOnlyDictionary<string, JsonNode> values)
    {
        if (locationProperty is not null)
        {
            return values.TryGetValue(locationProperty, out var location) ? PropertySchema.ToText(specs[locationProperty], location) : "";
        }
        var properties = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in shape.Properties)
        {
            if (Placeholder(value) is not { } name)
            {
                properties.Add(new(key, value));
            }
            else if (values.TryGetValue(name, out var given))
            {
                properties.Add(new(key, PropertySchema.ToText(specs[name], given)));
            }
        }
        return (shape with { Properties = properties }).Print();
    }

    /// <summary>Whether <paramref name="statement"/> has this template's form: same kind, same constants.</summary>
    public bool Matches(ConnectStatement statement)
    {
        if (locationProperty is not null)
        {
            return statement.Kind is ConnectKind.Folder or ConnectKind.Url;
        }
        return statement.Kind == shape.Kind && shape.Properties
            .Where(p => Placeholder(p.Value) is null)
            .All(p => string.Equals(statement.Get(p.Key), p.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The typed properties a matching statement holds (those in the statement only).</summary>
    public JsonObject Read(ConnectStatement statement)
    {
        var result = new JsonObject();
        if (locationProperty is not null)
        {
            if (!string.IsNullOrEmpty(statement.Location))
            {
                result[locationProperty] = PropertySchema.FromText(specs[locationProperty], statement.Location);
            }
            return result;
        }
        foreach (var (key, value) in shape.Properties)
        {
            if (Placeholder(value) is { } name && statement.Properties.Any(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)))
            {
                result[name] = PropertySchema.FromText(specs[name], statement.Get(key)!);
            }
        }
        return result;
    }
}
