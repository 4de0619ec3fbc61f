using Connectory.Filtering;

namespace Connectory.Tests.Qrs;

public sealed class QrsFilterTests
{
    sealed record Item(string Name, string Type, long LogOn, Guid Id, DateTime Modified, string[] Tags, string? Owner);

    static readonly IReadOnlyList<QrsField<Item>> Fields =
    [
        QrsField<Item>.One("name", QrsFieldKind.Text, i => i.Name),
        QrsField<Item>.One("type", QrsFieldKind.Text, i => i.Type),
        QrsField<Item>.One("logOn", QrsFieldKind.Number, i => i.LogOn, new Dictionary<string, long> { ["LOG_ON_SERVICE_USER"] = 0, ["LOG_ON_CURRENT_USER"] = 1 }),
        QrsField<Item>.One("id", QrsFieldKind.Guid, i => i.Id),
        QrsField<Item>.One("modifiedDate", QrsFieldKind.Date, i => i.Modified),
        QrsField<Item>.One("owner.userId", QrsFieldKind.Text, i => i.Owner),
        new("tags.name", QrsFieldKind.Text, i => i.Tags) { IsMany = true },
    ];

    static readonly Guid SalesId = Guid.Parse("3fa85f64-5717-4562-b3fc-2c963f66afa6");

    static readonly Item[] Items =
    [
        new("Sales", "ODBC", 0, SalesId, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), ["finance", "EU"], "alice"),
        new("O'Brien files", "folder", 1, Guid.Parse("11111111-2222-3333-4444-555555555555"), new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc), [], null),
        new("salesforce", "QvRestConnector.exe", 1, Guid.Parse("99999999-2222-3333-4444-555555555555"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), ["Finance"], "bob"),
    ];

    static string[] Matching(string filter)
    {
        var node = QrsFilter.Parse(filter);
        Assert.True(node is not null, $"'{filter}' should parse");
        var predicate = QrsFilter.Compile(node, Fields);
        Assert.True(predicate is not null, $"'{filter}' should compile");
        return [.. Items.Where(predicate).Select(i => i.Name)];
    }

    [Theory]
    [InlineData("name eq 'sales'", new[] { "Sales" })]
    [InlineData("NAME EQ 'SALES'", new[] { "Sales" })]
    [InlineData("name ne 'Sales'", new[] { "O'Brien files", "salesforce" })]
    [InlineData("name sw 'sal'", new[] { "Sales", "salesforce" })]
    [InlineData("name ew 'FILES'", new[] { "O'Brien files" })]
    [InlineData("name so 'brien'", new[] { "O'Brien files" })]
    [InlineData("name eq 'O''Brien files'", new[] { "O'Brien files" })]
    [InlineData("name gt 'r'", new[] { "Sales", "salesforce" })]
    [InlineData("name le 'Sales'", new[] { "Sales", "O'Brien files" })]
    [InlineData("logOn eq LOG_ON_CURRENT_USER", new[] { "O'Brien files", "salesforce" })]
    [InlineData("logOn eq 0", new[] { "Sales" })]
    [InlineData("logOn lt 1", new[] { "Sales" })]
    [InlineData("id eq 3fa85f64-5717-4562-b3fc-2c963f66afa6", new[] { "Sales" })]
    [InlineData("id eq '3FA85F64-5717-4562-B3FC-2C963F66AFA6'", new[] { "Sales" })]
    [InlineData("modifiedDate ge '2025-01-01T00:00:00.000Z'", new[] { "O'Brien files", "salesforce" })]
    [InlineData("owner.userId eq null", new[] { "O'Brien files" })]
    [InlineData("owner.userId ne null", new[] { "Sales", "salesforce" })]
    [InlineData("tags.name eq 'finance'", new[] { "Sales", "salesforce" })]
    [InlineData("tags.name eq 'eu'", new[] { "Sales" })]
    [InlineData("tags.name eq null", new[] { "O'Brien files" })]
    [InlineData("type eq 'folder' or name eq 'Sales' and logOn eq 1", new[] { "O'Brien files" })]
    [InlineData("(type eq 'folder' or name eq 'Sales') and logOn eq 1", new[] { "O'Brien files" })]
    [InlineData("(type eq 'ODBC' or type eq 'folder') and (logOn eq 0)", new[] { "Sales" })]
    [InlineData("name so ' and ' or name so '('", new string[0])]
    public void FiltersSelectTheRightItems(string filter, string[] expected) =>
        Assert.Equal(expected, Matching(filter));

    [Theory]
    [InlineData("")]
    [InlineData("name")]
    [InlineData("name eq")]
    [InlineData("name xx 'a'")]
    [InlineData("name eq 'unterminated")]
    [InlineData("(name eq 'a'")]
    [InlineData("name eq 'a')")]
    [InlineData("name eq 'a' and")]
    [InlineData("and name eq 'a'")]
    [InlineData("name eq 'a' name eq 'b'")]
    [InlineData("1name eq 'a'")]
    [InlineData("name eq and")]
    [InlineData("name.. eq 'a'")]
    public void MalformedFiltersDoNotParse(string filter) => Assert.Null(QrsFilter.Parse(filter));

    [Theory]
    [InlineData("unknown eq 'a'")]
    [InlineData("logOn sw 1")]
    [InlineData("logOn eq LOG_ON_NOBODY")]
    [InlineData("id eq not-a-guid")]
    [InlineData("modifiedDate gt 'yesterday'")]
    [InlineData("name gt null")]
    public void FiltersThatDoNotFitThePropertiesDoNotCompile(string filter)
    {
        var node = QrsFilter.Parse(filter);
        Assert.NotNull(node);
        Assert.Null(QrsFilter.Compile(node, Fields));
    }

    [Fact]
    public void OrderByTakesSeveralKeysAndDirections()
    {
        var keys = QrsFilter.ParseOrderBy("logOn desc, NAME", Fields);
        Assert.NotNull(keys);
        Assert.Equal(["O'Brien files", "salesforce", "Sales"], QrsFilter.Order(Items, keys).Select(i => i.Name));
        Assert.Null(QrsFilter.ParseOrderBy("name sideways", Fields));
        Assert.Null(QrsFilter.ParseOrderBy("nothing", Fields));
        Assert.Null(QrsFilter.ParseOrderBy("tags.name", Fields));
    }

    [Fact]
    public void EveryPrintedFilterParsesBackToTheSameTree()
    {
        var random = new Random(20261124);
        for (var i = 0; i < 2000; i++)
        {
            var tree = RandomNode(random, 0);
            var printed = QrsFilter.Print(tree);
            var parsed = QrsFilter.Parse(printed);
            Assert.True(parsed is not null, $"did not parse: {printed}");
            Assert.Equal(tree, parsed);
            Assert.Equal(printed, QrsFilter.Print(parsed));
        }
    }

    static readonly string[] Paths = ["name", "type", "owner.userId", "tags.name", "Id", "logOn", "a_b.c_d.e"];
    static readonly string[] Bare = ["0", "42", "-7", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "LOG_ON_SERVICE_USER", "x64", "2024-01-01T00:00:00.000Z", "true"];
    const string Alphabet = "abcXYZ09 '()\"\\.,=-_éß€\t";

    static QrsFilterNode RandomNode(Random random, int depth)
    {
        var roll = depth > 4 ? 0 : random.Next(4);
        return roll switch
        {
            1 => new QrsAnd(RandomNode(random, depth + 1), RandomNode(random, depth + 1)),
            2 => new QrsOr(RandomNode(random, depth + 1), RandomNode(random, depth + 1)),
            _ => new QrsComparison(Paths[random.Next(Paths.Length)], QrsFilter.Operators[random.Next(QrsFilter.Operators.Count)], RandomLiteral(random)),
        };
    }

    static QrsLiteral RandomLiteral(Random random) => random.Next(5) switch
    {
        0 => new QrsLiteral.Null(),
        1 => new QrsLiteral.Bare(Bare[random.Next(Bare.Length)]),
        _ => new QrsLiteral.Quoted(new string([.. Enumerable.Range(0, random.Next(12)).Select(_ => Alphabet[random.Next(Alphabet.Length)])])),
    };
}
