using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Connectory.Data;

/// <summary>
/// INSERT statements built from the EF Core model, for writes that bypass the change tracker (see
/// <see cref="HotSql.ExecuteAsync"/>). Columns, names and value conversions come from the model, so the statement
/// follows every column the model gains; the text is the same for every row of a type, so it stays prepared.
/// </summary>
internal static class EntityInserts
{
    sealed record Shape(string Sql, (IPropertyBase Property, Func<object, object?> Read)[] Columns);

    static readonly ConcurrentDictionary<(IModel, Type), Shape> Shapes = new();

    public static SqlText InsertOf<T>(this ConnectoryDb db, T entity) where T : class
    {
        var shape = Shapes.GetOrAdd((db.Model, typeof(T)), key => ShapeOf(key.Item1, key.Item2));
        var sql = new SqlText(shape.Sql);
        foreach (var (_, read) in shape.Columns)
        {
            sql.Param(read(entity));
        }
        return sql;
    }

    static Shape ShapeOf(IModel model, Type type)
    {
        var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().ToList();
        var columns = properties.Select(p =>
        {
            var converter = p.GetTypeMapping().Converter;
            var getter = p.GetGetter();
            Func<object, object?> read = converter is null
                ? e => getter.GetClrValue(e)
                : e => getter.GetClrValue(e) is { } value ? converter.ConvertToProvider(value) : null;
            return ((IPropertyBase)p, read);
        }).ToArray();
        var names = string.Join(", ", properties.Select(p => $"\"{p.GetColumnName(table)}\""));
        var values = string.Join(", ", properties.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new Shape($"INSERT INTO \"{table.Name}\" ({names}) VALUES ({values})", columns);
    }
}
