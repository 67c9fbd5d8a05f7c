/** The two IPC channels of the Electron door; the contract decides what travels on them. */
export const IPC_INVOKE = 'benchtop:invoke';
export const IPC_EVENT = 'benchtop:event';
