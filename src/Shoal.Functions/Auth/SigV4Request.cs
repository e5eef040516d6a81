namespace Shoal.Functions.Auth;

/// <summary>The parts of an HTTP request a SigV4 signature covers.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path as sent (still percent-encoded), e.g. <c>/2015-03-31/functions/echo/invocations</c>.</param>
/// <param name="Query">The query string as sent, without the <c>?</c>; empty for none.</param>
/// <param name="Headers">Every header, name and value, as received.</param>
/// <param name="PayloadSha256">The lower-case hex SHA-256 of the body.</param>
public sealed record SigV4Request(string Method, string Path, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, string PayloadSha256);
