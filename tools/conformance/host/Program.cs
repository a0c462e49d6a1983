// A plain WebJobs host running the real Durable Functions extension (Azure Storage provider, on
// Azurite). Its functions forward every payload to the Node bridge (Bridge.cs); the generated
// Functions.g.cs holds one function per orchestration, activity and entity the app registers.
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
        ? v
        : throw new InvalidOperationException($"{name} is not set");

var storage = Required("AzureWebJobsStorage");
var hub = Required("CONFORMANCE_HUB");
var polling = Environment.GetEnvironmentVariable("CONFORMANCE_QUEUE_POLLING") ?? "00:00:01";
Bridge.BaseUrl = new Uri(Required("CONFORMANCE_BRIDGE_URL"));

var host = new HostBuilder()
    .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = storage,
    }))
    .ConfigureWebJobs(b =>
    {
        b.AddDurableTask(o =>
        {
            o.HubName = hub;
            o.StorageProvider["partitionCount"] = 1;
            o.StorageProvider["maxQueuePollingInterval"] = polling;
            o.MaxConcurrentActivityFunctions = int.Parse(Environment.GetEnvironmentVariable("CONFORMANCE_MAX_ACTIVITIES") ?? "8");
            o.MaxConcurrentOrchestratorFunctions = int.Parse(Environment.GetEnvironmentVariable("CONFORMANCE_MAX_ORCHESTRATORS") ?? "4");
        });
    })
    .ConfigureServices(s =>
    {
        #pragma warning disable CS0618
        s.AddSingleton<Microsoft.Azure.WebJobs.Host.Config.IWebHookProvider, LoopbackWebHooks>();
#pragma warning restore CS0618
        s.AddSingleton<ITypeLocator>(new FixedTypeLocator(typeof(AppFunctions), typeof(ClientFunctions)));
    })
    .ConfigureLogging(l =>
    {
        l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        l.SetMinimumLevel(LogLevel.Warning);
        l.AddFilter("DurableTask", LogLevel.Warning);
    })
    .Build();

await host.StartAsync();
var jobHost = (JobHost)host.Services.GetRequiredService<IJobHost>();
await jobHost.CallAsync(nameof(ClientFunctions.ClientPayload));
// The suite waits for this line: it carries the durableClient binding data the extension produced.
Console.WriteLine($"CONFORMANCE-CLIENT {ClientFunctions.Payload}");
Console.Out.Flush();

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
_ = Task.Run(async () => { while (await Console.In.ReadLineAsync() is not null) { } stop.TrySetResult(); });
await stop.Task;
await host.StopAsync(TimeSpan.FromSeconds(10));

sealed class FixedTypeLocator(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}

#pragma warning disable CS0618 // IWebHookProvider is how a WebJobs host gives extensions their webhook base URL
sealed class LoopbackWebHooks : Microsoft.Azure.WebJobs.Host.Config.IWebHookProvider
{
    public Uri GetUrl(Microsoft.Azure.WebJobs.Host.Config.IExtensionConfigProvider extension) =>
        new("http://127.0.0.1:7071/runtime/webhooks/durabletask");
}
#pragma warning restore CS0618

public static class ClientFunctions
{
    public static string Payload { get; private set; } = "";

    [NoAutomaticTrigger]
    [FunctionName(nameof(ClientPayload))]
    public static void ClientPayload([DurableClient] string client) => Payload = client;
}
