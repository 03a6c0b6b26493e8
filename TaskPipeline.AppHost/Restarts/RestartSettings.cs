using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.AppHost.Restarts;

/// <summary>The <c>TaskPipeline:Restart</c> section: the local app's restart policy (README, "Restarts").</summary>
internal sealed class RestartSettings
{
    public RestartPolicy Policy { get; set; } = RestartPolicy.OnFailure;

    /// <summary>The wait before the first restart; each further restart within <see cref="Window"/> waits twice as long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "must be from 00:00:00.100 to 00:10:00")]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before a restart.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "must be from 00:00:00.100 to 01:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Restarts allowed within <see cref="Window"/>; an exit beyond them leaves the resource stopped.</summary>
    [Range(1, 1000, ErrorMessage = "must be from 1 to 1000")]
    public int MaxRestarts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be from 00:00:01 to 1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
