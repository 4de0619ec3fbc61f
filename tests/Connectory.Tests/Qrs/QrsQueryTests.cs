using Connectory.DataConnections;
using Connectory.Filtering;
using Connectory.Platform.Access;
using Connectory.Qrs;

namespace Connectory.Tests.Qrs;

public sealed class QrsQueryTests
{
    static readonly string[] Names = ["Sales", "sales EU", "Straße", "STRASSE", "İstanbul", "istanbul", "Kelvin \u212A", "o'brien", "Ünïcode", "x"];
    static readonly string[] Words = ["sa", "s", "EU", "straße", "İ", "i", "k", "\u212A", "'", "ü", "X", "", "es"];

    static QrsRow Row(string name, int logOn, string id)
    {
        var connection = DataConnection.New(id, "t", "o", "s", "managed", name, "ODBC", "", "x", "o", DateTime.UnixEpoch);
        connection.LogOn = logOn;
        return new(connection, null, null, "", ["tag"], ConnectionPrivileges.Read, []);
    }

    [Fact]
    public void WhatTheDatabaseChecksNeverDropsAMatch()
    {
        var random = new Random(424242);
        var rows = Names.Select((n, i) => Row(n, i % 2, Guid.NewGuid().ToString())).ToList();
        var narrowed = 0;
        for (var i = 0; i < 1500; i++)
        {
            var filter = RandomNode(random, rows, 0);
            var exact = QrsFilter.Compile(filter, QrsView.Fields);
            Assert.NotNull(exact);
            var narrowing = QrsQuery.Narrowing(filter)?.Compile();
            if (narrowing is null)
            {
                continue;
            }
            narrowed++;
            foreach (var row in rows.Where(exact))
            {
                Assert.True(narrowing(row.Connection), $"'{QrsFilter.Print(filter)}' matches '{row.Connection.Name}' but the database condition drops it");
            }
        }
        Assert.True(narrowed > 500, $"only {narrowed} filters narrowed");
    }

    static QrsFilterNode RandomNode(Random random, List<QrsRow> rows, int depth) => (depth > 3 ? 0 : random.Next(4)) switch
    {
        1 => new QrsAnd(RandomNode(random, rows, depth + 1), RandomNode(random, rows, depth + 1)),
        2 => new QrsOr(RandomNode(random, rows, depth + 1), RandomNode(random, rows, depth + 1)),
        _ => random.Next(5) switch
        {
            0 => new QrsComparison("ID", "eq", new QrsLiteral.Bare(rows[random.Next(rows.Count)].Connection.Id.ToUpperInvariant())),
            1 => new QrsComparison("logon", random.Next(2) == 0 ? "eq" : "ne", new QrsLiteral.Bare(random.Next(2) == 0 ? "1" : "LOG_ON_SERVICE_USER")),
            2 => new QrsComparison("tags.name", "eq", new QrsLiteral.Quoted("TAG")),
            _ => new QrsComparison("Name", new[] { "eq", "ne", "sw", "ew", "so", "gt" }[random.Next(6)],
                new QrsLiteral.Quoted(random.Next(2) == 0 ? Names[random.Next(Names.Length)].ToUpperInvariant() : Words[random.Next(Words.Length)])),
        },
    };
}
