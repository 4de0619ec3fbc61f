namespace Connectory.Data;

/// <summary>
/// The condition of a hand-written statement over one tenant's rows. EF Core's tenant query filter does not reach
/// hand-written SQL, so such a statement is made from a tenant: its first parameter is the tenant's id and its first
/// term the tenant predicate on the statement's table alias; further terms can only be added after it, and the
/// statement's text only comes from <see cref="Statement"/>.
/// </summary>
internal sealed class TenantRows
{
    readonly List<string> terms;

    /// <param name="alias">The table alias the predicate qualifies (<c>c</c> for data_connections), or null for none.</param>
    public TenantRows(string tenantId, string? alias = "c")
    {
        Parameters = new SqlText();
        Tenant = Parameters.Param(tenantId);
        terms = [$"{(alias is null ? "" : alias + ".")}\"TenantId\" = {Tenant}"];
    }

    /// <summary>Where the terms' values go: each term names its values by the placeholders this returns.</summary>
    public SqlText Parameters { get; }

    /// <summary>The tenant's parameter, for joins that must stay inside the tenant too.</summary>
    public string Tenant { get; }

    public TenantRows And(string term)
    {
        terms.Add(term);
        return this;
    }

    /// <summary>
    /// A statement of its own: <paramref name="head"/> (everything up to and including <c>WHERE</c>), then the terms
    /// joined with AND, with every value given so far. Later terms do not reach a statement already made.
    /// </summary>
    public SqlText Statement(string head) => Parameters.Clone().Append(head).Append(string.Join(" AND ", terms));
}
