using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Unit.Support;

public sealed class PrometheusTextTests
{
    [Fact]
    public void ParsesNamesLabelsAndValues()
    {
        const string text = """
            # TYPE tasks_done_total counter
            tasks_done_total{task_type="3",otel_scope_name="x,y"} 12 1700000000000
            tasks_done_total{task_type="4"} 1.5e3
            up 1
            """;

        var samples = PrometheusText.Parse(text);

        Assert.Equal(3, samples.Count);
        Assert.Equal("x,y", samples[0].Label("otel_scope_name"));
        Assert.Equal(new Dictionary<string, double> { ["3"] = 12, ["4"] = 1500 }, PrometheusText.SumBy(samples, "tasks_done_total", "task_type"));
        Assert.Equal(1, samples[2].Value);
    }
}
