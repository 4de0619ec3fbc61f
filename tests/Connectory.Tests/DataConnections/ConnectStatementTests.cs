using System.Text;
using Connectory.DataConnections;

namespace Connectory.Tests.DataConnections;

/// <summary>The connect-statement parser and printer, by example and by seeded random round trips.</summary>
public sealed class ConnectStatementTests
{
    /// <summary>Characters that stress the grammar: quotes, separators, brackets, REST list markers and non-ASCII text.</summary>
    static readonly string[] Pieces =
    [
        "a", "b", "Z", "0", "9", "_", "-", ".", "/", ":", " ", "  ", "\t", "'", "''", "\"", "\"\"", ";", "=", "==", "%", "%1", "%2", "]", "[", "]]",
        "(", ")", ",", "\\", "{", "}", "é", "ß", "中文", "😀", "ǅ", "\u00a0", "is", " is ", "\n",
    ];

    static readonly string[] KeyPieces = ["a", "B", "x", "Host", "_", "-", "1", "é", "中", " ", "\"", "%", "'", "]"];

    static string RandomText(Random random, string[] pieces, int maxPieces)
    {
        var text = new StringBuilder();
        var count = random.Next(maxPieces + 1);
        for (var i = 0; i < count; i++)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }
        return text.ToString();
    }

    /// <summary>A property key: no '=' or ';', not blank, no surrounding whitespace (keys are trimmed when parsed).</summary>
    static string RandomKey(Random random)
    {
        string key;
        do
        {
            key = RandomText(random, KeyPieces, 4).Trim();
        }
        while (key.Length == 0);
        return key;
    }

    static List<KeyValuePair<string, string>> RandomProperties(Random random, int min)
    {
        var count = min + random.Next(6);
        return Enumerable.Range(0, count).Select(_ => new KeyValuePair<string, string>(RandomKey(random), RandomText(random, Pieces, 6))).ToList();
    }

    static List<KeyValuePair<string, string>>? RandomOptions(Random random)
    {
        if (random.Next(3) == 0)
        {
            return null;
        }
        var keys = new[] { "XUserId", "XPassword", "mode", "Timeout" };
        return Enumerable.Range(0, 1 + random.Next(3))
            .Select(i => new KeyValuePair<string, string>(keys[random.Next(keys.Length)], RandomText(random, Pieces, 5)))
            .ToList();
    }

    static ConnectStatement RandomStatement(Random random)
    {
        var kind = (ConnectKind)random.Next(3);
        var bitness = new[] { "", "32", "64" }[random.Next(3)];
        var properties = RandomProperties(random, kind == ConnectKind.Custom ? 0 : 1);
        return new ConnectStatement(kind, properties, bitness, Options: RandomOptions(random));
    }

    static void AssertSameMeaning(ConnectStatement expected, ConnectStatement actual, string printed)
    {
        Assert.True(expected.Kind == actual.Kind, $"kind differs for {printed}");
        Assert.True(expected.Bitness == actual.Bitness, $"bitness differs for {printed}");
        Assert.True(expected.Properties.SequenceEqual(actual.Properties),
            $"properties differ for {printed}\nexpected: {string.Join(" | ", expected.Properties)}\nactual:   {string.Join(" | ", actual.Properties)}");
        var expectedOptions = expected.Options ?? [];
        var actualOptions = actual.Options ?? [];
        Assert.True(expectedOptions.SequenceEqual(actualOptions),
            $"options differ for {printed}\nexpected: {string.Join(" | ", expectedOptions)}\nactual:   {string.Join(" | ", actualOptions)}");
    }

    [Fact]
    public void PrintedRandomStatementsParseBackToTheSameMeaning()
    {
        for (var seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            var statement = RandomStatement(random);
            var printed = statement.Print();
            var parsed = ConnectStatement.Parse(printed);
            AssertSameMeaning(statement, parsed, $"seed {seed}: {printed}");
            Assert.Equal(printed, parsed.Print());
            Assert.Equal(statement.Target, parsed.Target);
        }
    }

    [Fact]
    public void ReprintingAParsedStatementKeepsItsMeaning()
    {
        // Statements written by hand (odd spacing, case, bare keys, quoted values) rather than by the printer.
        string[] written =
        [
            "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://api.example.test/v1?a=1&b=2;method=GET;\"",
            "custom   connect   to   \"provider=x.exe; host = h.example.test ;port=5432\"",
            "CUSTOM CONNECT TO \"provider=x.exe;value='a;b=c';quote='it''s';\"",
            "CUSTOM CONNECT TO \"provider=x.exe;json={\"\"a\"\":1};\" (XUserId is abc, XPassword is \"p,w d\")",
            "CUSTOM CONNECT64 TO \"provider=x.exe;bare;empty=;\"",
            "ODBC CONNECT TO [MyDsn]",
            "ODBC CONNECT32 TO [Driver={SQL Server};Server=db.example.test;Database=sales;Trusted_Connection=yes;]",
            "OLEDB CONNECT64 TO [Provider=SQLOLEDB.1;Data Source=srv\\inst;Initial Catalog=db;] (XUserId is QRaVXCdMTCZcGYEA, XPassword is \"a \"\"b\"\"\")",
            "oledb connect to [Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\data\\[x]].accdb;]",
            "ODBC CONNECT TO [Dsn With Spaces] (mode is write);",
        ];
        foreach (var text in written)
        {
            var parsed = ConnectStatement.Parse(text);
            var printed = parsed.Print();
            var reparsed = ConnectStatement.Parse(printed);
            AssertSameMeaning(parsed, reparsed, $"{text} => {printed}");
            Assert.Equal(printed, reparsed.Print());
        }
    }

    [Fact]
    public void CustomStatementsYieldTheirProperties()
    {
        var parsed = ConnectStatement.Parse("CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://h.example.test/a;value='x;y';quoted=\"\"q\"\";\"");
        Assert.Equal(ConnectKind.Custom, parsed.Kind);
        Assert.Equal("QvRestConnector.exe", parsed.Provider);
        Assert.Equal("https://h.example.test/a", parsed.Get("URL"));
        Assert.Equal("x;y", parsed.Get("value"));
        Assert.Equal("\"q\"", parsed.Get("quoted"));
    }

    [Theory]
    [InlineData("ODBC CONNECT TO [MyDsn]", "Odbc", "", "DSN", "MyDsn")]
    [InlineData("ODBC CONNECT32 TO [MyDsn]", "Odbc", "32", "DSN", "MyDsn")]
    [InlineData("ODBC CONNECT64 TO [Server=s;Port=1]", "Odbc", "64", "Server", "s")]
    [InlineData("OLEDB CONNECT TO [Provider=SQLOLEDB.1;Data Source=srv;]", "Oledb", "", "Data Source", "srv")]
    [InlineData("OLEDB CONNECT32 TO [Provider=SQLOLEDB.1;Data Source=srv;]", "Oledb", "32", "Provider", "SQLOLEDB.1")]
    [InlineData("OLEDB CONNECT64 TO [Provider=SQLOLEDB.1;Data Source=a]]b;]", "Oledb", "64", "Data Source", "a]b")]
    public void OdbcAndOledbFormsKeepBitnessAndProperties(string text, string kind, string bitness, string key, string value)
    {
        var parsed = ConnectStatement.Parse(text);
        Assert.Equal(Enum.Parse<ConnectKind>(kind), parsed.Kind);
        Assert.Equal(bitness, parsed.Bitness);
        Assert.Equal(value, parsed.Get(key));
        AssertSameMeaning(parsed, ConnectStatement.Parse(parsed.Print()), text);
    }

    [Fact]
    public void OptionsCarryUserIdAndPassword()
    {
        var parsed = ConnectStatement.Parse("ODBC CONNECT TO [MyDsn] (XUserId is \"a, b\", XPassword is secret)");
        Assert.Equal([new("XUserId", "a, b"), new("XPassword", "secret")], parsed.Options!);
        Assert.Equal("ODBC CONNECT TO [MyDsn] (XUserId is \"a, b\", XPassword is secret)", parsed.Print());
    }

    [Theory]
    [InlineData("lib://DataFiles/", "Folder")]
    [InlineData("lib://Team Space:DataFiles/sub dir", "Folder")]
    [InlineData("C:\\data\\files\\", "Folder")]
    [InlineData("\\\\server\\share\\dir", "Folder")]
    [InlineData("/mnt/data", "Folder")]
    [InlineData("https://files.example.test/a.csv?x=1&y=%20", "Url")]
    [InlineData("http://files.example.test:8080/", "Url")]
    [InlineData("ftp://ftp.example.test/pub/a.txt", "Url")]
    public void FolderAndUrlFormsPrintAsWritten(string text, string kind)
    {
        var parsed = ConnectStatement.Parse(text);
        Assert.Equal(Enum.Parse<ConnectKind>(kind), parsed.Kind);
        Assert.Equal(text, parsed.Location);
        Assert.Equal(text, parsed.Print());
    }

    [Fact]
    public void TargetIgnoresNonTargetPropertiesOrderAndCaseButNotTheHost()
    {
        var a = ConnectStatement.Parse("CUSTOM CONNECT TO \"provider=x.exe;host=H.example.test;port=1;timeout=5;\"");
        var reordered = ConnectStatement.Parse("CUSTOM CONNECT TO \"timeout=9;port=1;host=h.example.test;provider=X.exe;\"");
        var otherHost = ConnectStatement.Parse("CUSTOM CONNECT TO \"provider=x.exe;host=i.example.test;port=1;timeout=5;\"");
        var otherPort = ConnectStatement.Parse("CUSTOM CONNECT TO \"provider=x.exe;host=h.example.test;port=2;timeout=5;\"");
        Assert.Equal(a.Target, reordered.Target);
        Assert.NotEqual(a.Target, otherHost.Target);
        Assert.NotEqual(a.Target, otherPort.Target);
        Assert.Equal(ConnectStatement.Parse("https://a.example.test/x?q=1").Target, ConnectStatement.Parse("https://A.example.test/x?q=2").Target);
        Assert.NotEqual(ConnectStatement.Parse("https://a.example.test/x").Target, ConnectStatement.Parse("https://b.example.test/x").Target);
        Assert.Equal(ConnectStatement.Parse("lib://Data/").Target, ConnectStatement.Parse("lib://data").Target);
    }

    [Fact]
    public void RestListsRoundTripThroughTheirEncoding()
    {
        string[] itemPieces = ["a", "B", "1", " ", "=", ";", "'", "\"", "%", "é", "😀", "&", "?", "%3", "1", "2"];
        for (var seed = 0; seed < 1000; seed++)
        {
            var random = new Random(seed);
            var items = Enumerable.Range(0, 1 + random.Next(4))
                .Select(_ => new KeyValuePair<string, string>(RandomText(random, itemPieces, 4), RandomText(random, itemPieces, 4)))
                .Where(i => !(i.Key + i.Value).Contains("%1", StringComparison.Ordinal) && !(i.Key + i.Value).Contains("%2", StringComparison.Ordinal)
                            && !i.Key.EndsWith('%') && !i.Value.EndsWith('%'))
                .Where(i => i.Key.Length > 0)
                .ToList();
            if (items.Count == 0)
            {
                continue;
            }
            var encoded = ConnectStatement.EncodeList(items);
            Assert.Equal(items, ConnectStatement.DecodeList(encoded));

            // Inside a statement the encoded list survives printing and parsing.
            var statement = new ConnectStatement(ConnectKind.Custom, [new("provider", "QvRestConnector.exe"), new("queryParameters", encoded)]);
            var parsed = ConnectStatement.Parse(statement.Print());
            Assert.Equal(items, ConnectStatement.DecodeList(parsed.Get("queryParameters")!));
        }
    }

    [Fact]
    public void ParsingNeverThrowsOnArbitraryText()
    {
        string[] pieces = ["CUSTOM", "ODBC", "OLEDB", " CONNECT", "32", "64", " TO ", "[", "]", "\"", "(", ")", " is ", ",", ";", "=", "'", "x", " ", "lib://", "https://"];
        for (var seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            var text = RandomText(random, pieces, 12);
            var parsed = ConnectStatement.Parse(text);
            _ = parsed.Target;
            var again = ConnectStatement.Parse(parsed.Print());
            Assert.Equal(parsed.Kind, again.Kind);
        }
    }
}
