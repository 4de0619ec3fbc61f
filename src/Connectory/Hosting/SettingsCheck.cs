using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting;

/// <summary>A section of settings and the options class it binds to, as the start-up check reads them.</summary>
internal sealed record SettingsSection(string Name, Type OptionsType);

/// <summary>A list setting that may also be given as one comma-separated value (the binder alone would ignore it).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class CommaSeparatedAttribute : Attribute;

internal static class SettingsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>, and tells the start-up check the section's shape.</summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton(new SettingsSection(section, typeof(T)));
        return services.AddOptions<T>().BindConfiguration(section);
    }
}

/// <summary>A setting the binder leaves out, by its key path (never its value, which may be a secret).</summary>
internal sealed record IgnoredSetting(string Path, string Reason);

/// <summary>
/// Names, once at start, the settings of Connectory's own sections that bind to nothing: a key no option has (a typo
/// such as <c>Qrs:TrustdProxies</c>), one value where a list or section is expected, or a list or section where one
/// value is. The configuration binder drops these silently, so a mistyped setting would otherwise just not apply.
/// </summary>
internal static class SettingsCheck
{
    const string Warning = "The setting {Setting} is ignored: it {Reason}.";

    public static void WarnAtStart(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SettingsCheck).FullName!);
        foreach (var ignored in Find(services.GetRequiredService<IConfiguration>(), services.GetServices<SettingsSection>()))
        {
            logger.LogWarning(Warning, ignored.Path, ignored.Reason);
        }
    }

    public static List<IgnoredSetting> Find(IConfiguration configuration, IEnumerable<SettingsSection> sections)
    {
        var found = new List<IgnoredSetting>();
        foreach (var section in sections.DistinctBy(s => s.Name, StringComparer.OrdinalIgnoreCase))
        {
            Check(configuration.GetSection(section.Name), section.OptionsType, null, found);
        }
        return found;
    }

    static void Check(IConfigurationSection section, Type type, PropertyInfo? property, List<IgnoredSetting> found)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var children = section.GetChildren().ToList();
        if (IsValue(type))
        {
            if (children.Count > 0)
            {
                found.Add(new(section.Path, "takes one value, not a list or a section"));
            }
            return;
        }
        var valueType = DictionaryValueType(type);
        var elementType = valueType is null ? ElementType(type) : null;
        if (!string.IsNullOrEmpty(section.Value) && property?.IsDefined(typeof(CommaSeparatedAttribute)) != true)
        {
            found.Add(new(section.Path, valueType is null && elementType is not null
                ? "takes a list, not one value (give its items as Key:0, Key:1, ... or Key__0, Key__1, ...)"
                : "takes a section of settings, not one value"));
        }
        if ((valueType ?? elementType) is { } itemType)
        {
            // Any key names an entry of a dictionary, and the binder reads a list's children in order whatever their keys.
            children.ForEach(child => Check(child, itemType, null, found));
            return;
        }
        var properties = Bindable(type);
        foreach (var child in children)
        {
            if (properties.TryGetValue(child.Key, out var known))
            {
                Check(child, known.PropertyType, known, found);
            }
            else
            {
                found.Add(new(child.Path, "matches no setting of this section"));
            }
        }
    }

    /// <summary>What the binder sets from a single string, as it decides: a type converter from string.</summary>
    static bool IsValue(Type type) => type == typeof(string) || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    static Type? DictionaryValueType(Type type) =>
        Interfaces(type).FirstOrDefault(i => i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)))
            ?.GetGenericArguments()[1];

    static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : Interfaces(type).FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    static IEnumerable<Type> Interfaces(Type type) =>
        (type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces()).Where(i => i.IsGenericType);

    /// <summary>The members the binder writes: public settable properties, and get-only lists or sections it fills in place.</summary>
    static Dictionary<string, PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.SetMethod?.IsPublic == true || (p.GetMethod?.IsPublic == true && !IsValue(p.PropertyType))))
            .ToDictionary(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, StringComparer.OrdinalIgnoreCase);
}
