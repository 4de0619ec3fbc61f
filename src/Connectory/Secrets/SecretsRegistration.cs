using Connectory.Hosting;

namespace Connectory.Secrets;

internal static class SecretsRegistration
{
    public static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.AddSettings<SecretsOptions>(SecretsOptions.Section)
            .Validate(o => o.ReloadSeconds >= 0 && o.RotationBatchSize > 0, "Secrets:ReloadSeconds must be 0 or more and Secrets:RotationBatchSize positive.")
            // A list given as one value (Secrets__References__Schemes=env,file) is read as a comma-separated list.
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                var references = o.References;
                references.Schemes = CommaSeparated(references.Schemes, configuration, "Schemes");
                references.EnvNames = CommaSeparated(references.EnvNames, configuration, "EnvNames");
                references.Paths = CommaSeparated(references.Paths, configuration, "Paths");
            })
            .Validate(o => o.References.Schemes.All(s => s is "env" or "file"), "Secrets:References:Schemes may name env and file only.")
            .Validate(o => o.References.Paths.All(Path.IsPathFullyQualified), "Secrets:References:Paths must be absolute directories.")
            .ValidateOnStart();
        services.AddHttpContextAccessor();
        services.AddSingleton<SecretReferences>();
        services.AddSingleton<MasterKeyRing>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<KeyRotation>();
        services.AddScoped<MasterKeyCheck>();
        return services;
    }

    static List<string> CommaSeparated(List<string> bound, IConfiguration configuration, string key) =>
    [
        .. bound.Concat((configuration[$"{SecretsOptions.Section}:References:{key}"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => key == "Schemes" ? v.ToLowerInvariant() : v)
            .Distinct(StringComparer.Ordinal),
    ];
}
