using System.Text.Json;

namespace Shoal.Http;

/// <summary>Reads an admin request's JSON body, turning what is wrong with it into an RFC 7807 problem.</summary>
public static class JsonBodies
{
    /// <summary>The largest admin request body (the admin listener's Kestrel limit).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The body as <typeparamref name="T"/>, or the 400 problem that says why it is not one.</summary>
    public static async Task<(T? Value, Microsoft.AspNetCore.Http.IResult? Problem)> ReadAsync<T>(Microsoft.AspNetCore.Http.HttpRequest request, JsonSerializerOptions options, string example, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            return (null, Microsoft.AspNetCore.Http.Results.Problem(statusCode: 413, title: "Body too large", detail: $"An admin request body is at most {MaxBytes / 1024} KiB."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, cancellationToken).ConfigureAwait(false);
            return value is null
                ? (null, Microsoft.AspNetCore.Http.Results.Problem(statusCode: 400, title: "Missing body", detail: $"Send {example}."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Microsoft.AspNetCore.Http.Results.Problem(statusCode: 400, title: "Malformed JSON body", detail: JsonErrors.Describe(ex)));
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            // Kestrel's body limit (413) or a body cut short (400), met while reading: the client's fault, never a 500.
            return (null, Microsoft.AspNetCore.Http.Results.Problem(
                statusCode: ex.StatusCode,
                title: ex.StatusCode == 413 ? "Body too large" : "Unreadable body",
                detail: ex.StatusCode == 413 ? $"An admin request body is at most {MaxBytes / 1024} KiB." : ex.Message));
        }
    }
}
