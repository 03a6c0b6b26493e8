using TaskPipeline.Consumer.Processing;
using TaskPipeline.ServiceDefaults.Data;

if (ServiceVersion.TryPrint(args))
{
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTasksDatabase();
builder.AddTaskProcessing();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTaskProcessing();

return await app.RunServiceAsync();
