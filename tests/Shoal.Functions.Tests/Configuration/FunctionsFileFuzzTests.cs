using CsCheck;
using Shoal.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Shoal.Functions.Tests.Configuration;

/// <summary>Mutated functions.yml and routing.yml: the loader returns a configuration or located errors, and never throws anything else.</summary>
[Trait("Category", Fuzz.Category)]
public sealed class FunctionsFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const string Functions = """
        functions:
          hello:
            command: ["bash", "bootstrap"]
            handler: function.handler
            code: ./hello
            memory: 512
            timeout: 30s
            init_timeout: 5s
            environment: { GREETING: hi, COUNT: 3 }
            version: "7"
            concurrency:
              max: 20
              min_warm: 2
              queue: 50
              queue_timeout: 2s
            idle_timeout: 1m
            max_lifetime: 30m
          world:
            command: node index.js
            code: .
        """;

    private const string Routing = """
        stage: prod
        auth:
          api_keys:
            - id: local
              value: plain-text-key
            - id: env
              env: API_KEY
            - id: hashed
              sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
          jwt:
            issuer: https://issuer.example
            audience: [a, b]
            hs256_secret: "0123456789abcdef0123456789abcdef"
            jwks_file: jwks.json
            clock_skew: 30s
        routes:
          - path: /hello/{id}
            method: GET
            function: hello
            payload: "1.0"
            auth: api-key
          - path: /world/{proxy+}
            function: world
            auth: jwt
          - { path: /open, method: ANY, function: hello, payload: "2.0", auth: none }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_MutatedFiles_ReturnsAConfigurationOrLocatedErrors()
    {
        _dir.CreateDirectory("hello");
        _dir.Write("jwks.json", """{"keys":[]}""");
        var gen = Gen.Frequency(
            (2, YamlMutations.Mutate(Functions).Select(f => (f, Routing))),
            (2, YamlMutations.Mutate(Routing).Select(r => (Functions, r))),
            (1, Gen.Select(YamlMutations.Mutate(Functions), YamlMutations.Mutate(Routing), (f, r) => (f, r))));
        Fuzz.Run(gen, seed: 20_261_131, files => Loads(_dir, files.Item1, files.Item2), output.WriteLine);
    }

    // As bytes: a lone surrogate becomes U+FFFD as in any file an editor writes, where File.WriteAllText would throw.
    private static string WriteBytes(TempDirectory dir, string name, string text)
    {
        var path = dir.PathOf(name);
        File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
        return path;
    }

    /// <summary>The fuzz property: a configuration, or a <see cref="ConfigFileException"/> whose every error is located in one of the two files.</summary>
    internal static void Loads(TempDirectory dir, string functions, string routing)
    {
        try
        {
            FunctionsFileLoader.Load(WriteBytes(dir, "functions.yml", functions), WriteBytes(dir, "routing.yml", routing), name => name == "API_KEY" ? "secret-from-env" : null);
        }
        catch (ConfigFileException ex)
        {
            Assert.NotEmpty(ex.Errors);
            Assert.All(ex.Errors, e =>
            {
                Assert.Contains(e.File, new[] { "functions.yml", "routing.yml" });
                Assert.True(e.Line >= 1 && e.Column >= 1, $"unlocated: {e}");
            });
        }
    }
}
