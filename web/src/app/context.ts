import type { AppConfig } from './config.js';
import type { Registry } from './registry.js';
import type { Me } from './session.js';

/** What every view is given: who is signed in, the layers they may use, this deployment's settings. */
export interface AppContext {
  me: Me;
  registry: Registry;
  config: AppConfig;
}
