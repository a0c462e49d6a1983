/** The `durableClient` binding data and management URLs, shaped like the extension's. */
export const RPC_PREFIX = '/durabletask/';
export const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';
export const INSTANCE_PLACEHOLDER = 'INSTANCEID';

export interface ClientDataOptions {
  hubName: string;
  /** Origin of the app's HTTP host, e.g. `http://localhost:7071`. */
  publicOrigin: string;
  rpcBaseUrl: string;
  systemKey: string;
}

/** The `durableClient` input binding data, shaped like the extension's. */
export function buildClientData(o: ClientDataOptions): Record<string, unknown> {
  const base = `${o.publicOrigin.replace(/\/+$/, '')}/runtime/webhooks/durabletask`;
  const code = encodeURIComponent(o.systemKey);
  const q = `taskHub=${encodeURIComponent(o.hubName)}&connection=Storage&code=${code}`;
  const inst = `${base}/instances/${INSTANCE_PLACEHOLDER}`;
  return {
    taskHubName: o.hubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=${code}`,
      waitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
    },
    managementUrls: managementUrls(inst, q, INSTANCE_PLACEHOLDER),
    baseUrl: base,
    requiredQueryStringParameters: `code=${code}`,
    rpcBaseUrl: o.rpcBaseUrl,
  };
}

function managementUrls(inst: string, q: string, id: string): Record<string, string> {
  return {
    id,
    purgeHistoryDeleteUri: `${inst}?${q}`,
    restartPostUri: `${inst}/restart?${q}`,
    resumePostUri: `${inst}/resume?reason={text}&${q}`,
    rewindPostUri: `${inst}/rewind?reason={text}&${q}`,
    sendEventPostUri: `${inst}/raiseEvent/{eventName}?${q}`,
    statusQueryGetUri: `${inst}?${q}`,
    suspendPostUri: `${inst}/suspend?reason={text}&${q}`,
    terminatePostUri: `${inst}/terminate?reason={text}&${q}`,
  };
}
