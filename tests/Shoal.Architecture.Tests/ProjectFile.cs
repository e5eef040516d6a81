using System.Xml.Linq;
using Shoal.Testing;

namespace Shoal.Architecture.Tests;

/// <summary>A project under <c>src/</c> as its csproj declares it: the projects and frameworks it references.</summary>
internal sealed record ProjectFile(string Name, string Path, IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> FrameworkReferences)
{
    /// <summary>Every <c>src/*/*.csproj</c>.</summary>
    public static IReadOnlyList<ProjectFile> All() =>
        Directory.GetFiles(System.IO.Path.Combine(RepoPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .ToList();

    private static ProjectFile Read(string path)
    {
        var xml = XDocument.Load(path);
        var projects = xml.Descendants("ProjectReference")
            .Select(e => System.IO.Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        var frameworks = xml.Descendants("FrameworkReference").Select(e => e.Attribute("Include")!.Value).ToList();
        return new ProjectFile(System.IO.Path.GetFileNameWithoutExtension(path), System.IO.Path.GetRelativePath(RepoPaths.Root, path), projects, frameworks);
    }
}
