/** Errors that cross the front doors keep a stable code so the UI can react to the kind, not the text. */
export type ErrorCode =
  | 'bad-request' // payload failed its schema, unknown method
  | 'not-found'
  | 'invalid-state' // e.g. pause while stopped
  | 'missing-tool' // a host program is not on PATH
  | 'unsupported-board' // QEMU lacks the machine
  | 'missing-file'
  | 'qmp-error'
  | 'timeout'
  | 'not-mapped' // a guest address with no memory behind it
  | 'internal';

export class BenchtopError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BenchtopError';
  }
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof BenchtopError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
