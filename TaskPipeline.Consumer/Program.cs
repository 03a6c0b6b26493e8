using TaskPipeline.Consumer;
using TaskPipeline.Consumer.Completion;
using TaskPipeline.Consumer.Leases;
using TaskPipeline.Consumer.Submit;
using TaskPipeline.Consumer.Work;
using TaskPipeline.Data;

if (ServiceVersion.TryPrint(args))
{
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTasksDatabase();
builder.AddConsumer();
// Hosted services stop in the reverse order of these lines: submits and work drain first, then the outcomes are
// written, then the leases still held are released.
builder.AddTaskLeases();
builder.AddTaskCompletion();
builder.AddTaskWork();
builder.AddTaskSubmit();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTaskSubmit();

return await app.RunServiceAsync();
