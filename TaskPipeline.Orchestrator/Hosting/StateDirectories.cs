namespace TaskPipeline.AppHost.Hosting;

/// <summary>Where the AppHost keeps state between runs (the embedded PostgreSQL's data and password).</summary>
internal static class StateDirectories
{
    /// <summary>/var/lib/taskpipeline for root (a system service), else the XDG state directory of the user.</summary>
    public static string Default
    {
        get
        {
            if (LibC.IsRoot)
            {
                return "/var/lib/taskpipeline";
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            var root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            return Path.Combine(root, "taskpipeline");
        }
    }
}
