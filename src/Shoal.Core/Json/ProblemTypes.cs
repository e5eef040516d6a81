namespace Shoal.Json;

/// <summary>
/// The <c>type</c> of every RFC 9457 problem Shoal answers with (gateway and admin API alike): a link to the section
/// of the RFC that defines the status code, RFC 9110 for most; <c>about:blank</c> for a code no RFC section defines.
/// </summary>
public static class ProblemTypes
{
    /// <summary>The type for no more than the status code says.</summary>
    public const string Blank = "about:blank";

    private const string Rfc9110 = "https://www.rfc-editor.org/rfc/rfc9110#section-";

    /// <summary>The type URI for <paramref name="status"/>; a constant string, so the hot path allocates nothing.</summary>
    public static string For(int status) => status switch
    {
        400 => Rfc9110 + "15.5.1",
        401 => Rfc9110 + "15.5.2",
        402 => Rfc9110 + "15.5.3",
        403 => Rfc9110 + "15.5.4",
        404 => Rfc9110 + "15.5.5",
        405 => Rfc9110 + "15.5.6",
        406 => Rfc9110 + "15.5.7",
        407 => Rfc9110 + "15.5.8",
        408 => Rfc9110 + "15.5.9",
        409 => Rfc9110 + "15.5.10",
        410 => Rfc9110 + "15.5.11",
        411 => Rfc9110 + "15.5.12",
        412 => Rfc9110 + "15.5.13",
        413 => Rfc9110 + "15.5.14",
        414 => Rfc9110 + "15.5.15",
        415 => Rfc9110 + "15.5.16",
        416 => Rfc9110 + "15.5.17",
        417 => Rfc9110 + "15.5.18",
        421 => Rfc9110 + "15.5.20",
        422 => Rfc9110 + "15.5.21",
        426 => Rfc9110 + "15.5.22",
        428 => "https://www.rfc-editor.org/rfc/rfc6585#section-3",
        429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        431 => "https://www.rfc-editor.org/rfc/rfc6585#section-5",
        500 => Rfc9110 + "15.6.1",
        501 => Rfc9110 + "15.6.2",
        502 => Rfc9110 + "15.6.3",
        503 => Rfc9110 + "15.6.4",
        504 => Rfc9110 + "15.6.5",
        505 => Rfc9110 + "15.6.6",
        508 => "https://www.rfc-editor.org/rfc/rfc5842#section-7.2",
        _ => Blank,
    };
}
