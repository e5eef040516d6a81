using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Shoal.Hosting.Dashboard;

/// <summary>
/// The dashboard's static files, read once from the resources embedded in this assembly (<c>dashboard/…</c>, from
/// <c>Dashboard/wwwroot</c>). Only these names can ever be served, so no request path reaches the file system.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The files by their path under <c>wwwroot</c> (<c>index.html</c>, <c>js/app.js</c>, …).</summary>
    public static FrozenDictionary<string, DashboardAsset> Files { get; } = Load(typeof(DashboardAssets).Assembly);

    private static FrozenDictionary<string, DashboardAsset> Load(Assembly assembly)
    {
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var name = resource.Replace('\\', '/');
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !s_contentTypes.TryGetValue(Path.GetExtension(name), out var type))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            // Strong: the validator is the content's hash, so equal tags mean byte-identical files.
            var etag = "\"" + Convert.ToBase64String(SHA256.HashData(content), 0, 18).Replace('+', '-').Replace('/', '_') + "\"";
            files[name[Prefix.Length..]] = new DashboardAsset(content, type, etag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
