namespace Shoal.Processes.Docker.Tests;

/// <summary>The engine tests share one dockerd and run one at a time, so CPU measurements do not compete.</summary>
[CollectionDefinition(Name)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "docker engine";
}
