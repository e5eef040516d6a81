using System.Text.Json;

namespace Shoal.Http;

/// <summary>Words for a JSON body that could not be read, naming the field but no .NET type.</summary>
public static class JsonErrors
{
    /// <summary>What is wrong with the body, for a problem's detail.</summary>
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var path = string.IsNullOrEmpty(exception.Path) ? null : exception.Path.TrimStart('$', '.');
        if (exception.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return $"unknown field '{path}'";
        }

        return path is null or "" ? "the body is not valid JSON" : $"'{path}' has a value of the wrong type or is malformed";
    }
}
