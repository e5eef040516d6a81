namespace Shoal.Cli.Output;

/// <summary>URLs as people type them: <c>http://127.0.0.1:8080</c>, without the trailing slash.</summary>
internal static class UriDisplay
{
    public static string Display(this Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
