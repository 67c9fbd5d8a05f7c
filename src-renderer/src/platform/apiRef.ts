/** The app's API client, set once at startup (main.tsx); components call `getApi()`. */
import type { Api } from '../../../src-shared/transport';

let current: Api | null = null;

export function setApi(api: Api): void {
  current = api;
}

export function getApi(): Api {
  if (!current) throw new Error('the API is not initialised yet');
  return current;
}
