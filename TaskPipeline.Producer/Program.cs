using TaskPipeline.Data;
using TaskPipeline.Producer;
using TaskPipeline.Producer.Api;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.Producer.Generation;
using TaskPipeline.Producer.Notifications;

if (ServiceVersion.TryPrint(args))
{
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTasksDatabase();
builder.AddProducer();
builder.AddTaskGeneration();
builder.AddTaskDispatch();
builder.AddTaskApi();
builder.AddTaskNotifications();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTaskApi();
app.MapTaskNotifications();

return await app.RunServiceAsync();
