using Shoal.Orchestration.Backing;
using Shoal.Orchestration.Stack;
using Shoal.Orchestration.Stack.Compose;

namespace Shoal.Orchestration.Tests.Stack.Compose;

/// <summary><c>image: postgres</c> and <c>image: redis</c> without the docker runtime: Shoal's templates, with the official images' variables and data volume, and one warning each.</summary>
public sealed class ComposeBackingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-compose-backing-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private StackDefinition Load(string text)
    {
        var path = Path.Combine(_directory, "compose.yml");
        File.WriteAllText(path, text);
        return StackFileLoader.Load([path], [], null, []);
    }

    private static string HostPostgres => BackingBinaries.Host.FindPostgres() is { } bin ? $"PostgreSQL {Path.GetFileName(Path.GetDirectoryName(bin))}" : "PostgreSQL (not installed: apt-get install -y postgresql)";

    [Theory]
    [InlineData("postgres", "postgres")]
    [InlineData("postgres:16-alpine", "postgres")]
    [InlineData("docker.io/library/postgres:15", "postgres")]
    [InlineData("library/redis@sha256:0123", "redis")]
    [InlineData("redis:7", "redis")]
    [InlineData("bitnami/postgresql:16", null)]
    [InlineData("ghcr.io/acme/redis:1", null)]
    [InlineData("localhost:5000/postgres", null)]
    public void TemplateOf_TheOfficialImagesOnly(string image, string? template) => Assert.Equal(template, ComposeNormalizer.TemplateOf(image));

    [Fact]
    public void DocsStyleDatabaseAndCache_BecomeTemplates_WithOneWarningEach()
    {
        var stack = Load("""
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_USER: shop
                  POSTGRES_PASSWORD: example
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -U shop"]
                  interval: 1s
                ports: ["5432:5432"]
                volumes:
                  - db-data:/var/lib/postgresql/data
              cache:
                image: docker.io/library/redis:7-alpine
                healthcheck:
                  test: ["CMD", "redis-cli", "ping"]
            volumes:
              db-data:
            """);

        var db = stack.FindService("db")!.Backing!;
        Assert.Equal((BackingKind.Postgres, "shop", "example", "db-data"), (db.Kind, db.User, db.Password, db.Volume));
        Assert.Equal(["shop"], db.Databases);
        Assert.Empty(stack.FindService("db")!.Environment);
        var cache = stack.FindService("cache")!.Backing!;
        Assert.Equal((BackingKind.Redis, "cache"), (cache.Kind, cache.Volume));
        Assert.Equal(
            [
                $"compose.yml:3:12: services.db.image: image 'postgres:16' is not run: Shoal's postgres template runs this host's {HostPostgres} instead (the tag is not used), data in .shoal/volumes/db-data, POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB as the image reads them; its own readiness check, free port and connection variables (see docs/compose.md) replace healthcheck and ports",
                "compose.yml:14:12: services.cache.image: image 'docker.io/library/redis:7-alpine' is not run: Shoal's redis template runs this host's redis-server instead (the tag is not used), data in .shoal/volumes/cache, appendonly; its own readiness check, free port and connection variables (see docs/compose.md) replace healthcheck and ports",
            ],
            stack.Warnings.Select(w => w.ToString().Replace(_directory + "/", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public void PostgresDb_DefaultsToTheUser_ThenToPostgres_AndOtherEnvironmentStays()
    {
        var stack = Load("""
            services:
              a:
                image: postgres
                environment: [POSTGRES_DB=orders, TZ=UTC]
              b:
                image: postgres
            """);

        Assert.Equal(["orders"], stack.FindService("a")!.Backing!.Databases);
        Assert.Equal("UTC", stack.FindService("a")!.Environment["TZ"]);
        Assert.Equal(["postgres"], stack.FindService("b")!.Backing!.Databases);
        Assert.Equal("postgres", stack.FindService("b")!.Backing!.User);
    }

    [Fact]
    public void ImageWithACommand_OrTheDockerRuntime_IsNoTemplate()
    {
        var stack = Load("""
            services:
              own:
                image: redis:7
                command: [redis-server, --port, "7000"]
              docker:
                image: redis:7
                command: [redis-server]
                x-shoal: { runtime: docker }
            """);

        Assert.All(stack.Services, s => Assert.Null(s.Backing));
    }

    [Fact]
    public void TopLevelVolumes_OnlyThoseNoTemplateUses_AreWarnedAbout()
    {
        var stack = Load("""
            services:
              db:
                image: postgres
                volumes: [{ type: volume, source: pg, target: /var/lib/postgresql/data }]
            volumes:
              pg:
              uploads:
            """);

        Assert.Equal("pg", stack.FindService("db")!.Backing!.Volume);
        Assert.Contains(stack.Warnings, w => w.Field == "volumes" && w.Message.StartsWith("named volumes are not created (uploads):", StringComparison.Ordinal));
    }
}
