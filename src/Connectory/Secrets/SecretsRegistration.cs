using Connectory.Hosting;

namespace Connectory.Secrets;

internal static class SecretsRegistration
{
    public static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.AddSettings<SecretsOptions>(SecretsOptions.Section)
            .Validate(o => o.ReloadSeconds >= 0 && o.RotationBatchSize > 0, "Secrets:ReloadSeconds must be 0 or more and Secrets:RotationBatchSize positive.")
            .ValidateOnStart();
        services.AddSingleton<MasterKeyRing>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<KeyRotation>();
        services.AddScoped<MasterKeyCheck>();
        return services;
    }
}
