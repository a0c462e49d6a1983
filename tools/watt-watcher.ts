#!/usr/bin/env node
/** `watt-watcher`: the embedded runtime's CLI with this app's profile (shared/localProfile.ts). */
import { localProfile } from '../shared/localProfile';
import { runMain } from './runtime/cli/main';

runMain(localProfile);
