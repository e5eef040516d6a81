using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Shoal.Processes;

/// <summary>
/// Turns <c>image:</c> into a root file system: a plain directory as it is; an OCI image layout directory or an OCI /
/// <c>docker save</c> tarball unpacked once (layers in order, whiteouts honoured) into a cache keyed by digest.
/// </summary>
public static class OciImages
{
    /// <summary>The rootfs directory for <paramref name="image"/>, unpacking it under <paramref name="cacheDirectory"/> when needed.</summary>
    /// <exception cref="InvalidDataException">The image is neither a directory nor a readable OCI or docker-save archive, or a layer is hostile.</exception>
    public static string Rootfs(string image, string cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Directory.Exists(image))
        {
            return File.Exists(Path.Combine(image, "index.json")) ? FromLayout(image, cacheDirectory) : image;
        }

        if (!File.Exists(image))
        {
            throw new InvalidDataException($"'{image}' is neither a directory nor a file.");
        }

        string key;
        using (var stream = File.OpenRead(image))
        {
            key = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var rootfs = Path.Combine(cacheDirectory, "rootfs", key);
        if (Directory.Exists(rootfs))
        {
            return rootfs;
        }

        var extracted = Path.Combine(cacheDirectory, "tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(extracted);
        try
        {
            using (var stream = OpenMaybeGzip(image))
            {
                TarFile.ExtractToDirectory(stream, extracted, overwriteFiles: true);
            }

            if (File.Exists(Path.Combine(extracted, "index.json")))
            {
                return FromLayout(extracted, cacheDirectory);
            }

            if (File.Exists(Path.Combine(extracted, "manifest.json")))
            {
                var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(extracted, "manifest.json"))).RootElement[0];
                var layers = manifest.GetProperty("Layers").EnumerateArray().Select(l => Path.Combine(extracted, l.GetString()!)).ToList();
                return Unpack(layers, rootfs);
            }

            throw new InvalidDataException($"'{image}' has neither index.json (OCI) nor manifest.json (docker save).");
        }
        finally
        {
            Directory.Delete(extracted, recursive: true);
        }
    }

    private static string FromLayout(string layout, string cacheDirectory)
    {
        var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json"))).RootElement;
        var descriptor = index.GetProperty("manifests")[0];

        // An index may point at another index (a multi-platform image): follow to the first manifest.
        while (descriptor.GetProperty("mediaType").GetString() is "application/vnd.oci.image.index.v1+json" or "application/vnd.docker.distribution.manifest.list.v2+json")
        {
            descriptor = JsonDocument.Parse(File.ReadAllText(Blob(layout, descriptor))).RootElement.GetProperty("manifests")[0];
        }

        var digest = descriptor.GetProperty("digest").GetString()!;
        var rootfs = Path.Combine(cacheDirectory, "rootfs", digest.Replace(':', '-'));
        if (Directory.Exists(rootfs))
        {
            return rootfs;
        }

        var manifest = JsonDocument.Parse(File.ReadAllText(Blob(layout, descriptor))).RootElement;
        return Unpack([.. manifest.GetProperty("layers").EnumerateArray().Select(l => Blob(layout, l))], rootfs);
    }

    private static string Blob(string layout, JsonElement descriptor)
    {
        var digest = descriptor.GetProperty("digest").GetString()!;
        var parts = digest.Split(':');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p.Contains('/', StringComparison.Ordinal) || p.Contains("..", StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"'{digest}' is not a digest.");
        }

        return Path.Combine(layout, "blobs", parts[0], parts[1]);
    }

    /// <summary>Applies the layers in order into a new directory, then renames it into place, so a half-unpacked image is never used.</summary>
    private static string Unpack(IReadOnlyList<string> layers, string rootfs)
    {
        var partial = rootfs + ".partial-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Directory.CreateDirectory(partial);
        try
        {
            foreach (var layer in layers)
            {
                using var stream = OpenMaybeGzip(layer);
                OciLayer.Apply(stream, partial);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(rootfs)!);
            try
            {
                Directory.Move(partial, rootfs);
            }
            catch (IOException) when (Directory.Exists(rootfs))
            {
                // Another instance unpacked the same image meanwhile: use its copy.
                Directory.Delete(partial, recursive: true);
            }

            return rootfs;
        }
        catch
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }

            throw;
        }
    }

    private static Stream OpenMaybeGzip(string file)
    {
        var stream = File.OpenRead(file);
        Span<byte> magic = stackalloc byte[2];
        var read = stream.Read(magic);
        stream.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }
}
