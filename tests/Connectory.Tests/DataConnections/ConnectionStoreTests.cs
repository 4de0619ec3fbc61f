using System.Text.RegularExpressions;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Platform.Auth;
using Connectory.Tests.Compatibility;
using Connectory.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Connectory.Tests.DataConnections;

/// <summary>
/// The hand-written statements on data_connections live in one place and each starts from its tenant: EF Core's
/// tenant filter does not reach them, so this is what keeps one tenant's rows out of another's answers.
/// </summary>
public sealed partial class ConnectionStoreTests
{
    [GeneratedRegex("""\b(FROM|INTO|UPDATE|JOIN)\s+"?data_connections\b""", RegexOptions.IgnoreCase)]
    private static partial Regex StatementOnConnections();

    [StoreIndependentFact]
    public void NoFileButTheStoreWritesSqlOnDataConnections()
    {
        var source = Path.Combine(NodeScenario.RepoRoot, "src", "Connectory");
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                // The schema's own history: tables, indexes and triggers, not reads or writes of rows.
                && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files found under {source}");

        var writers = files.Where(f => StatementOnConnections().IsMatch(File.ReadAllText(f))).Select(f => Path.GetRelativePath(source, f)).ToList();

        Assert.Equal([Path.Combine("DataConnections", "ConnectionStore.cs")], writers);
    }

    [StoreIndependentFact]
    public void EveryStatementBeginsWithTheTenantAsItsFirstTermAndParameter()
    {
        var caller = new Caller("tenant-a", "user-1", "user-1", new HashSet<string>(), ["group-1"]);
        var filtered = ConnectionStore.Of("tenant-a").And("c.\"Type\" = 'x'");
        var statements = new Dictionary<string, SqlText>
        {
            ["listed"] = ConnectionStore.Listed(filtered, withQri: true, keySql: "c.\"NameSortKey\""),
            ["count"] = ConnectionStore.Count(filtered),
            ["ids"] = ConnectionStore.Ids(ConnectionStore.Of("tenant-a")),
            ["taken"] = ConnectionStore.Taken("tenant-a", "id-1"),
            ["with space"] = ConnectionStore.WithSpace(caller, "id-1"),
        };
        foreach (var (name, sql) in statements)
        {
            var where = sql.Text.LastIndexOf(" WHERE ", StringComparison.Ordinal);
            Assert.True(where > 0, $"{name}: {sql.Text}");
            Assert.StartsWith("c.\"TenantId\" = @p0", sql.Text[(where + 7)..], StringComparison.Ordinal);
            using var command = new SqliteCommand();
            sql.Bind(command);
            Assert.Equal("tenant-a", command.Parameters[0].Value);
        }
    }
}
