/**
 * Contract entries of the host terminal feature (a shell on the host, in the session's folder,
 * with the cross toolchain on PATH) and "Run on target". Spread into ../contract.ts.
 */
export const hosttermMethods = {} as const;
export const hosttermEvents = {} as const;
