using TaskPipeline.ServiceDefaults.Hosting;

namespace TaskPipeline.Tests.Unit.ServiceDefaults;

public sealed class ServiceEndpointOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9101", 9101)]
    [InlineData("http://*:9101/", 9101)]
    [InlineData("http://[::1]:8080", 8080)]
    [InlineData("http://localhost", 0)]
    public void PortOfReadsTheExplicitPort(string url, int port) => Assert.Equal(port, ServiceEndpointOptions.PortOf(url));

    [Fact]
    public void WithPortReplacesOnlyThePort() =>
        Assert.Equal("http://127.0.0.1:9200", ServiceEndpointOptions.WithPort("http://127.0.0.1:9101", 9200));
}
