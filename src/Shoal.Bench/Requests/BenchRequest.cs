using System.Text;

namespace Shoal.Bench.Requests;

/// <summary>One request, both as HTTP/1.1 wire bytes and as parts for HttpClient.</summary>
internal sealed class BenchRequest
{
    public BenchRequest(string method, Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers, byte[]? body)
    {
        Method = method;
        Uri = uri;
        Headers = headers;
        Body = body;
        IsHead = string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);
        Wire = Serialize();
    }

    public string Method { get; }

    public Uri Uri { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public byte[]? Body { get; }

    public bool IsHead { get; }

    /// <summary>The request as HTTP/1.1 bytes, keep-alive.</summary>
    public byte[] Wire { get; }

    private byte[] Serialize()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Uri.PathAndQuery).Append(" HTTP/1.1\r\n");
        var hasHost = false;
        var hasContentType = false;
        foreach (var (name, value) in Headers)
        {
            hasHost |= string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase);
            hasContentType |= string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase);
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (!hasHost)
        {
            text.Append("Host: ").Append(Uri.Authority).Append("\r\n");
        }

        if (Body is not null)
        {
            if (!hasContentType)
            {
                text.Append("Content-Type: application/json\r\n");
            }

            text.Append("Content-Length: ").Append(Body.Length).Append("\r\n");
        }

        text.Append("\r\n");
        var head = Encoding.ASCII.GetBytes(text.ToString());
        if (Body is null)
        {
            return head;
        }

        var wire = new byte[head.Length + Body.Length];
        head.CopyTo(wire, 0);
        Body.CopyTo(wire, head.Length);
        return wire;
    }
}
