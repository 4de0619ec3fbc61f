namespace Connectory.Secrets;

internal static class SecretsRegistration
{
    public static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section);
        services.AddSingleton<MasterKeyRing>();
        services.AddSingleton<SecretProtector>();
        return services;
    }
}
