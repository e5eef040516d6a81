using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Shoal.Processes.Tests;

/// <summary>Builds small images by hand for the tests: a busybox root file system, layers, OCI layouts and their tarballs.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class OciImageBuilder
{
    public static readonly string[] Applets = ["sh", "echo", "cat", "ls", "true", "id", "sleep", "grep", "touch", "tail"];

    /// <summary>A layer: entries as (name, content or null for a directory, link target or null).</summary>
    public static byte[] Layer(IEnumerable<(string Name, byte[]? Content, string? Link)> entries, bool gzip = false)
    {
        using var buffer = new MemoryStream();
        using (var output = gzip ? (Stream)new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true) : buffer)
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, link) in entries)
            {
                if (link is not null)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = link });
                }
                else if (content is null)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 });
                }
                else
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b111_101_101, DataStream = new MemoryStream(content) });
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The busybox layer: /bin/busybox and an applet link per name.</summary>
    public static IEnumerable<(string, byte[]?, string?)> Busybox() =>
        [("bin/", null, null), ("bin/busybox", File.ReadAllBytes("/bin/busybox"), null), .. Applets.Select(a => ("bin/" + a, (byte[]?)null, (string?)"busybox"))];

    /// <summary>An OCI image layout directory with the layers in order.</summary>
    public static void Layout(string directory, IReadOnlyList<byte[]> layers)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256")).FullName;
        string Write(byte[] bytes)
        {
            var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
            File.WriteAllBytes(Path.Combine(blobs, hex), bytes);
            return "sha256:" + hex;
        }

        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.oci.image.manifest.v1+json",
            config = new { mediaType = "application/vnd.oci.image.config.v1+json", digest = Write(config), size = config.Length },
            layers = layers.Select(l => new { mediaType = "application/vnd.oci.image.layer.v1.tar+gzip", digest = Write(l), size = l.Length }).ToArray(),
        });
        var index = JsonSerializer.Serialize(new
        {
            schemaVersion = 2,
            manifests = new[] { new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = Write(manifest), size = manifest.Length } },
        });
        File.WriteAllText(Path.Combine(directory, "index.json"), index);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
    }

    public static void Tarball(string layout, string file) => TarFile.CreateFromDirectory(layout, file, includeBaseDirectory: false);
}
