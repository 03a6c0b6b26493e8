using TaskPipeline.Producer.Api;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.Producer.Generation;
using TaskPipeline.ServiceDefaults.Data;

if (ServiceVersion.TryPrint(args))
{
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTasksDatabase();
builder.AddTaskGeneration();
builder.AddTaskDispatch();
builder.AddTaskApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTaskApi();

return await app.RunServiceAsync();
