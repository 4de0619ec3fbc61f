using Connectory.Data;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Connectory.Tests.Data;

/// <summary>
/// On PostgreSQL the service's connections keep what they have prepared: no reset when returned to the pool, and
/// statements prepared automatically after their second use. What the operator sets in the connection string wins.
/// </summary>
public sealed class PostgresSettingsTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [StoreIndependentFact]
    public void UnsetSettingsGetTheServiceDefaults()
    {
        var completed = new NpgsqlConnectionStringBuilder(DatabaseRegistration.PostgresConnectionString("Host=db;Database=c;Username=u;Password=p"));

        Assert.True(completed.NoResetOnClose);
        Assert.Equal(64, completed.MaxAutoPrepare);
        Assert.Equal(2, completed.AutoPrepareMinUsages);
        Assert.Equal("p", completed.Password);
    }

    [StoreIndependentTheory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0;Auto Prepare Min Usages=5")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0;AutoPrepareMinUsages=5")]
    [InlineData("Host=db;no reset on close=false;max auto prepare=0;auto prepare min usages=5")]
    public void WhatTheOperatorSetsWins(string configured)
    {
        var completed = new NpgsqlConnectionStringBuilder(DatabaseRegistration.PostgresConnectionString(configured));

        Assert.False(completed.NoResetOnClose);
        Assert.Equal(0, completed.MaxAutoPrepare);
        Assert.Equal(5, completed.AutoPrepareMinUsages);
    }

    [PostgresFact]
    public async Task TheAppsConnectionsPrepareARepeatedStatement()
    {
        var prepared = await factory.WithDbAsync(async db =>
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            Assert.True(new NpgsqlConnectionStringBuilder(connection.ConnectionString).NoResetOnClose);
            await connection.OpenAsync();
            try
            {
                for (var i = 0; i < 3; i++)
                {
                    await using var read = new NpgsqlCommand("SELECT count(*) FROM data_connections WHERE \"TenantId\" = @t", connection);
                    read.Parameters.AddWithValue("t", "no-such-tenant");
                    await read.ExecuteScalarAsync();
                }
                // Npgsql sends the statement with positional placeholders; once prepared, the session lists it.
                await using var check = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT count(*) FROM data_connections WHERE \"TenantId\" = $1'", connection);
                return (long)(await check.ExecuteScalarAsync())!;
            }
            finally
            {
                await connection.CloseAsync();
            }
        });

        Assert.Equal(1, prepared);
    }
}
