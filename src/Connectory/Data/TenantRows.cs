namespace Connectory.Data;

/// <summary>
/// The condition of a hand-written statement over one tenant's rows. EF Core's tenant query filter does not reach
/// hand-written SQL, so such a statement is begun from a tenant: its first parameter is the tenant's id and its first
/// term the tenant predicate on the statement's table alias, and further terms can only be added after it.
/// </summary>
internal sealed class TenantRows
{
    readonly List<string> terms;

    /// <param name="alias">The table alias the predicate qualifies (<c>c</c> for data_connections), or null for none.</param>
    public TenantRows(SqlText sql, string tenantId, string? alias = "c")
    {
        Sql = sql;
        Tenant = sql.Param(tenantId);
        terms = [$"{(alias is null ? "" : alias + ".")}\"TenantId\" = {Tenant}"];
    }

    public SqlText Sql { get; }

    /// <summary>The tenant's parameter, for joins that must stay inside the tenant too.</summary>
    public string Tenant { get; }

    public TenantRows And(string term)
    {
        terms.Add(term);
        return this;
    }

    /// <summary>Appends the terms, joined with AND, to the statement.</summary>
    public SqlText AppendCondition() => Sql.Append(string.Join(" AND ", terms));
}
