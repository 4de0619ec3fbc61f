using System.Text.Json.Nodes;
using Connectory.DataConnections;
using Connectory.DataSources;
using Connectory.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataSources;

/// <summary>The shipped definitions themselves: every one loads, prints and reads back, and keeps secrets out of statements.</summary>
public sealed class DefinitionTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    DataSourceCatalog Catalog
    {
        get
        {
            _ = factory.BaseAddress;
            return factory.Services.GetRequiredService<DataSourceCatalog>();
        }
    }

    public static TheoryData<string> Shipped() =>
    [
        "snowflake", "postgres", "sqlserver", "mysql", "oracle", "databricks", "gbq", "athena", "rest",
        "File_AmazonS3ConnectorV2", "folder", "dropbox", "File_GoogleDrive",
    ];

    [Fact]
    public void EveryShippedDefinitionIsInTheCatalog()
    {
        var ids = Catalog.All.Select(d => d.DataSourceId).ToHashSet();
        foreach (var id in Shipped())
        {
            Assert.Contains(id, ids);
        }
        Assert.Contains(Catalog.All, d => d.OAuth is not null && d.DataSourceId == "dropbox");
        Assert.Contains(Catalog.All, d => d.OAuth is not null && d.DataSourceId == "File_GoogleDrive");
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void PropertiesPrintToAStatementThatReadsBackTheSameProperties(string id)
    {
        var definition = Catalog.Find(id)!;
        var given = Samples.For(definition);
        var (values, problems) = definition.Schema.Validate(given, id);
        Assert.Empty(problems);

        var statement = definition.Template.Print(values);
        var parsed = ConnectStatement.Parse(statement);
        Assert.True(definition.Template.Matches(parsed), statement);
        var read = definition.Template.Read(parsed);

        Assert.True(JsonNode.DeepEquals(Samples.Readable(definition, given).WithoutCredentialUsername(definition), read), $"{statement}\n{read.ToJsonString()}");
        Assert.DoesNotContain(Samples.SecretMarker, statement);
        // Printing the parse gives the same statement, so a stored statement is stable under re-reading.
        Assert.Equal(statement, parsed.Print());
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void DefaultsFillAbsentPropertiesAndStillReadBack(string id)
    {
        var definition = Catalog.Find(id)!;
        var required = new JsonObject();
        foreach (var spec in definition.Schema.Properties.Where(p => p.Required))
        {
            required[spec.Name] = Samples.Value(spec);
        }
        var (values, problems) = definition.Schema.Validate(required, id);
        Assert.Empty(problems);
        var read = definition.Template.Read(ConnectStatement.Parse(definition.Template.Print(values)));
        foreach (var spec in definition.Schema.Properties.Where(p => p.Default is not null && p.InStatement))
        {
            Assert.True(JsonNode.DeepEquals(spec.Default, read[spec.Name]), $"{spec.Name}: {read.ToJsonString()}");
        }
    }

    [Fact]
    public void SecretsAreNeverPlaceholdersInAStatementTemplate()
    {
        var schema = PropertySchema.Read(JsonNode.Parse("""{"type":"object","properties":{"host":{"type":"string"},"password":{"type":"string","secret":true}}}""")!.AsObject());
        var error = Assert.Throws<InvalidDataException>(() => StatementTemplate.Read("CUSTOM CONNECT TO \"provider=x.exe;host={host};pwd={password};\"", schema));
        Assert.Contains("password", error.Message);
    }

    [Fact]
    public void APasswordNotMarkedSecretIsRefused()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            PropertySchema.Read(JsonNode.Parse("""{"type":"object","properties":{"password":{"type":"string"}}}""")!.AsObject()));
        Assert.Contains("secret", error.Message);
    }

    [Fact]
    public void APropertyTheTemplateForgetsIsRefused()
    {
        var schema = PropertySchema.Read(JsonNode.Parse("""{"type":"object","properties":{"host":{"type":"string"},"port":{"type":"integer"}}}""")!.AsObject());
        var error = Assert.Throws<InvalidDataException>(() => StatementTemplate.Read("CUSTOM CONNECT TO \"provider=x.exe;host={host};\"", schema));
        Assert.Contains("'port'", error.Message);
    }
}

static class ReadableExtensions
{
    /// <summary>The credential username lives in the credential, not the statement, so a statement alone cannot give it back.</summary>
    internal static JsonObject WithoutCredentialUsername(this JsonObject properties, DataSourceDefinition definition)
    {
        foreach (var spec in definition.Schema.Properties.Where(p => p.CredentialUsername))
        {
            properties.Remove(spec.Name);
        }
        return properties;
    }
}
