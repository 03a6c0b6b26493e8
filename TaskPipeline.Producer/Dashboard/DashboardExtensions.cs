using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace TaskPipeline.Producer.Dashboard;

internal static class DashboardExtensions
{
    public const string Path = "/dashboard";

    /// <summary>
    /// The task dashboard's static pages (wwwroot/dashboard, copied beside the assembly): no build step, nothing fetched
    /// from elsewhere, and a Content-Security-Policy that keeps it so. The pages read and write only through the API,
    /// with the caller's own credentials.
    /// </summary>
    public static WebApplication MapTaskDashboard(this WebApplication app)
    {
        var files = new PhysicalFileProvider(System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "dashboard"));
        // Not a routed endpoint: routing ignores a trailing slash, and static files are served only where no endpoint matched.
        app.Use((context, next) =>
        {
            if (context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Redirect($"{Path}/");
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = Path, FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = Path,
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
