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

var app = builder.Build();
app.MapDefaultEndpoints();

return await app.RunServiceAsync();
