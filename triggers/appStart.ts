import { app } from '@azure/functions';
import { getConfig } from '../shared/config';

/**
 * Settings are checked once when the app starts: a malformed one, or (in Azure) a secret placed
 * in an app setting, stops the start with every problem named, before any run can begin.
 */
export function checkSettings(): void {
  getConfig();
}

app.hook.appStart(checkSettings);
