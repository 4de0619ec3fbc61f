namespace Connectory.Platform.Paging;

internal static class PagingRegistration
{
    public static IServiceCollection AddPaging(this IServiceCollection services) =>
        services.AddSingleton<PageTokens>().AddSingleton<PublicOrigin>();
}
