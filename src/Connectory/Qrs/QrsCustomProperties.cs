using System.Text.Json;
using Connectory.Data;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Qrs;

/// <summary>A QRS custom property definition of a tenant, made the first time a connection names it.</summary>
internal sealed class QrsCustomPropertyDefinition
{
    public const string TextType = "Text";
    public const string DataConnectionObjectType = "DataConnection";
    public const int MaxNameLength = 100;

    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Name { get; set; }
    /// <summary>The name lower-cased invariantly: names are unique per tenant ignoring case.</summary>
    public required string NameFold { get; set; }
    public string ValueType { get; set; } = TextType;
    /// <summary>JSON array of the allowed values; empty for free text.</summary>
    public string ChoiceValues { get; set; } = "[]";
    /// <summary>JSON array of the QRS object types the definition applies to.</summary>
    public string ObjectTypes { get; set; } = $"[\"{DataConnectionObjectType}\"]";
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public static string Fold(string name) => name.Trim().ToLowerInvariant();
}

/// <summary>One custom property value of a data connection.</summary>
internal sealed class QrsCustomPropertyValue
{
    public const int MaxValueLength = 1024;

    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string ConnectionId { get; init; }
    public required string DefinitionId { get; init; }
    public required string Value { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A stored value with its definition, as a QRS row carries it.</summary>
internal sealed record QrsPropertyRow(QrsCustomPropertyValue Value, QrsCustomPropertyDefinition Definition);

/// <summary>Reads the customProperties of a written connection, makes unknown definitions, and stores the values.</summary>
internal sealed class QrsCustomProperties(ConnectoryDb db, TimeProvider time)
{
    sealed record Item(string? DefinitionId, string? DefinitionName, string Value);

    /// <summary>Checks the items' shape (no database access); null with an error message when one is malformed.</summary>
    public static string? Check(List<JsonElement>? items)
    {
        if (items is null)
        {
            return null;
        }
        foreach (var item in items)
        {
            if (Parse(item) is (null, var error))
            {
                return error;
            }
        }
        return null;
    }

    static (Item? Item, string? Error) Parse(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return (null, "Each custom property must be an object with 'value' and 'definition'.");
        }
        if (!item.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
        {
            return (null, "Each custom property must carry its 'value' as a string.");
        }
        var text = value.GetString()!;
        if (text.Length > QrsCustomPropertyValue.MaxValueLength)
        {
            return (null, $"A custom property value must be at most {QrsCustomPropertyValue.MaxValueLength} characters.");
        }
        if (!item.TryGetProperty("definition", out var definition) || definition.ValueKind != JsonValueKind.Object)
        {
            return (null, "Each custom property must carry its 'definition' (by id or name).");
        }
        string? id = null;
        if (definition.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            if (idElement.ValueKind != JsonValueKind.String || !Guid.TryParse(idElement.GetString(), out var guid))
            {
                return (null, "A custom property definition id must be a GUID.");
            }
            id = guid == Guid.Empty ? null : guid.ToString();
        }
        string? name = null;
        if (definition.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
        {
            if (nameElement.ValueKind != JsonValueKind.String)
            {
                return (null, "A custom property definition name must be a string.");
            }
            name = nameElement.GetString()!.Trim();
            if (name.Length is 0 or > QrsCustomPropertyDefinition.MaxNameLength)
            {
                return (null, $"A custom property definition name must be 1 to {QrsCustomPropertyDefinition.MaxNameLength} characters.");
            }
        }
        return id is null && name is null
            ? (null, "Each custom property definition must be named by its id or its name.")
            : (new Item(id, name, text), null);
    }

    /// <summary>
    /// Replaces the connection's values with <paramref name="items"/>. A definition given by id must exist in the
    /// caller's tenant; one given by name is found ignoring case, or made. Null on success, else a 400 message.
    /// </summary>
    public async Task<string?> ReplaceAsync(string connectionId, Caller caller, List<JsonElement> items, CancellationToken ct)
    {
        var parsed = new List<Item>();
        foreach (var element in items)
        {
            var (item, error) = Parse(element);
            if (item is null)
            {
                return error;
            }
            parsed.Add(item);
        }
        var ids = parsed.Where(i => i.DefinitionId is not null).Select(i => i.DefinitionId!).Distinct().ToList();
        var folds = parsed.Where(i => i.DefinitionId is null).Select(i => QrsCustomPropertyDefinition.Fold(i.DefinitionName!)).Distinct().ToList();
        var known = await db.QrsCustomPropertyDefinitions
            .Where(d => d.TenantId == caller.TenantId && (ids.Contains(d.Id) || folds.Contains(d.NameFold)))
            .ToListAsync(ct);
        if (ids.FirstOrDefault(id => known.All(d => d.Id != id)) is { } unknown)
        {
            return $"The custom property definition '{unknown}' does not exist.";
        }
        var now = time.UtcNow();
        var missing = parsed.Where(i => i.DefinitionId is null && known.All(d => d.NameFold != QrsCustomPropertyDefinition.Fold(i.DefinitionName!)))
            .DistinctBy(i => QrsCustomPropertyDefinition.Fold(i.DefinitionName!))
            .Select(i => new QrsCustomPropertyDefinition
            {
                Id = Guid.NewGuid().ToString(),
                TenantId = caller.TenantId,
                Name = i.DefinitionName!,
                NameFold = QrsCustomPropertyDefinition.Fold(i.DefinitionName!),
                CreatedAt = now,
                UpdatedAt = now,
            })
            .ToList();
        if (missing.Count > 0)
        {
            known.AddRange(await CreateDefinitionsAsync(caller.TenantId, missing, ct));
        }
        var values = new List<QrsCustomPropertyValue>();
        foreach (var item in parsed)
        {
            var definition = item.DefinitionId is not null
                ? known.First(d => d.Id == item.DefinitionId)
                : known.First(d => d.NameFold == QrsCustomPropertyDefinition.Fold(item.DefinitionName!));
            if (values.Any(v => v.DefinitionId == definition.Id && v.Value == item.Value))
            {
                continue;
            }
            values.Add(new QrsCustomPropertyValue
            {
                Id = Guid.NewGuid().ToString(),
                TenantId = caller.TenantId,
                ConnectionId = connectionId,
                DefinitionId = definition.Id,
                Value = item.Value,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }
        await db.QrsCustomPropertyValues.Where(v => v.ConnectionId == connectionId).ExecuteDeleteAsync(ct);
        db.QrsCustomPropertyValues.AddRange(values);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// Saves new definitions. When another request made one of the same name meanwhile, the unique index refuses
    /// the insert: the work rolls back to a savepoint (so the caller's transaction stays usable) and the stored
    /// definitions are read instead.
    /// </summary>
    async Task<List<QrsCustomPropertyDefinition>> CreateDefinitionsAsync(string tenantId, List<QrsCustomPropertyDefinition> missing, CancellationToken ct)
    {
        const string savepoint = "qrs_custom_property_definitions";
        var transaction = db.Database.CurrentTransaction;
        if (transaction is not null)
        {
            await transaction.CreateSavepointAsync(savepoint, ct);
        }
        db.QrsCustomPropertyDefinitions.AddRange(missing);
        try
        {
            await db.SaveChangesAsync(ct);
            return missing;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation() && transaction is not null)
        {
            await transaction.RollbackToSavepointAsync(savepoint, ct);
            foreach (var definition in missing)
            {
                db.Entry(definition).State = EntityState.Detached;
            }
        }
        var folds = missing.Select(d => d.NameFold).ToList();
        var stored = await db.QrsCustomPropertyDefinitions.Where(d => d.TenantId == tenantId && folds.Contains(d.NameFold)).ToListAsync(ct);
        var absent = missing.Where(d => stored.All(s => s.NameFold != d.NameFold)).ToList();
        if (absent.Count > 0)
        {
            // The clash was with only some of the names; the rest are made now.
            db.QrsCustomPropertyDefinitions.AddRange(absent);
            await db.SaveChangesAsync(ct);
            stored.AddRange(absent);
        }
        return stored;
    }

    /// <summary>The values of the given connections with their definitions, by connection id.</summary>
    public static async Task<ILookup<string, QrsPropertyRow>> ForConnectionsAsync(ConnectoryDb db, IReadOnlyCollection<string> connectionIds, CancellationToken ct)
    {
        if (connectionIds.Count == 0)
        {
            return Array.Empty<QrsPropertyRow>().ToLookup(r => r.Value.ConnectionId);
        }
        var ids = connectionIds.ToList();
        var rows = await db.QrsCustomPropertyValues.AsNoTracking()
            .Where(v => ids.Contains(v.ConnectionId))
            .Join(db.QrsCustomPropertyDefinitions.AsNoTracking(), v => v.DefinitionId, d => d.Id, (v, d) => new { v, d })
            .ToListAsync(ct);
        return rows.Select(r => new QrsPropertyRow(r.v, r.d))
            .OrderBy(r => r.Definition.NameFold, StringComparer.Ordinal).ThenBy(r => r.Value.Value, StringComparer.Ordinal)
            .ToLookup(r => r.Value.ConnectionId);
    }
}
