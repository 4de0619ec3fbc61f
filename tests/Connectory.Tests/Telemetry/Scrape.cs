using System.Text.RegularExpressions;

namespace Connectory.Tests.Telemetry;

/// <summary>A Prometheus text scrape, searched series by series.</summary>
sealed partial class Scrape(string text)
{
    public string Text { get; } = text;

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)""")]
    private static partial Regex Sample();

    [GeneratedRegex(""""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)"""")]
    private static partial Regex Label();

    /// <summary>The samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public List<(Dictionary<string, string> Labels, double Value)> Find(string name, params (string Key, string Value)[] labels)
    {
        var found = new List<(Dictionary<string, string>, double)>();
        foreach (var line in Text.Split('\n'))
        {
            if (Sample().Match(line) is not { Success: true } sample || sample.Groups["name"].Value != name)
            {
                continue;
            }
            var all = Label().Matches(sample.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            if (labels.All(l => all.GetValueOrDefault(l.Key) == l.Value))
            {
                found.Add((all, double.Parse(sample.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        return found;
    }

    /// <summary>The one value of <paramref name="name"/> with these labels, summed over the samples that match (absent: 0).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);
}
