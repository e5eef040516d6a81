using System.Globalization;
using System.Text;

namespace Shoal.Bench.Requests;

/// <summary>
/// The request to send, with <c>{{n}}</c> (a sequence number from 1) and <c>{{client}}</c> (the connection's index from 0)
/// substituted in the URL, headers and body. A template without placeholders is serialized once.
/// </summary>
internal sealed class RequestTemplate
{
    private const string Sequence = "{{n}}";
    private const string Client = "{{client}}";
    private readonly BenchRequest? _static;
    private readonly string _url;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly string? _body;

    public RequestTemplate(string method, string url, IReadOnlyList<KeyValuePair<string, string>> headers, string? body)
    {
        Method = method.ToUpperInvariant();
        _url = url;
        _headers = headers;
        _body = body;
        var varies = HasPlaceholder(url) || (body is not null && HasPlaceholder(body)) || headers.Any(h => HasPlaceholder(h.Value));
        Target = new Uri(url.Replace(Sequence, "0", StringComparison.Ordinal).Replace(Client, "0", StringComparison.Ordinal));
        if (!varies)
        {
            _static = Build(0, 0);
        }
    }

    public string Method { get; }

    /// <summary>The URL with placeholders filled with 0, for connecting and reporting.</summary>
    public Uri Target { get; }

    public bool Varies => _static is null;

    public BenchRequest For(long sequence, int client) => _static ?? Build(sequence, client);

    private BenchRequest Build(long sequence, int client)
    {
        var n = sequence.ToString(CultureInfo.InvariantCulture);
        var c = client.ToString(CultureInfo.InvariantCulture);
        string Fill(string s) => s.Replace(Sequence, n, StringComparison.Ordinal).Replace(Client, c, StringComparison.Ordinal);
        var headers = _headers.Select(h => new KeyValuePair<string, string>(h.Key, Fill(h.Value))).ToList();
        return new BenchRequest(Method, new Uri(Fill(_url)), headers, _body is null ? null : Encoding.UTF8.GetBytes(Fill(_body)));
    }

    private static bool HasPlaceholder(string s) =>
        s.Contains(Sequence, StringComparison.Ordinal) || s.Contains(Client, StringComparison.Ordinal);
}
