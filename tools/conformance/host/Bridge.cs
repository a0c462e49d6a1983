// Forwards one invocation to the Node bridge (tools/conformance/bridge.ts) and returns its answer.
using System.Net.Http.Headers;
using System.Text;
using Newtonsoft.Json.Linq;

public static class Bridge
{
    public static Uri BaseUrl { get; set; } = new("http://127.0.0.1:0/");
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    /// <summary>Posts the trigger payload (JSON text); returns the handler's result (JSON text).</summary>
    public static async Task<string> InvokeAsync(string kind, string function, string payload)
    {
        using var content = new StringContent(payload, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync(new Uri(BaseUrl, $"{kind}/{Uri.EscapeDataString(function)}"), content);
        var body = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode) return body;
        var error = JObject.Parse(body);
        // The same message shape as the Functions host's RpcException for a failed Node invocation,
        // which is what the extension parses ($OutOfProcData$ for orchestrators, the friendly message).
        throw new WorkerException(
            $"Result: Failure\nException: {error.Value<string>("message")}\nStack: {error.Value<string>("stack")}");
    }

    public static JToken? ParseResult(string json) => json.Length == 0 ? null : JToken.Parse(json);
}

public sealed class WorkerException(string message) : Exception(message);
