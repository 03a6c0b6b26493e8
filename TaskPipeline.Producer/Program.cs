using TaskPipeline.Data;
using TaskPipeline.Producer;
using TaskPipeline.Producer.Api;
using TaskPipeline.Producer.Dashboard;
using TaskPipeline.Producer.Dispatch;
using TaskPipeline.Producer.Generation;
using TaskPipeline.Producer.Notifications;
using TaskPipeline.Producer.Retention;
using TaskPipeline.Producer.Scheduling;
using TaskPipeline.Producer.Security;

if (ServiceVersion.TryPrint(args) || ApiKeyCommand.TryPrint(args))
{
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTasksDatabase();
builder.AddProducer();
builder.AddTaskGeneration();
builder.AddTaskDispatch();
builder.AddTaskScheduling();
builder.AddApiSecurity();
builder.AddTaskApi();
builder.AddTaskNotifications();
builder.AddTaskRetention();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTaskApi();
app.MapTaskNotifications();
app.MapTaskDashboard();

return await app.RunServiceAsync();
