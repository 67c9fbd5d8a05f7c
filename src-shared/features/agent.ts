/**
 * Contract entries of the target agent feature (files, processes, debug through the agent).
 * Spread into `methods` / `events` in ../contract.ts. Filled in by the agent feature.
 */
export const agentMethods = {} as const;
export const agentEvents = {} as const;
