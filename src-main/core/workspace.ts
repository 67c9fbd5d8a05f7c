import os from 'node:os';
import path from 'node:path';

/** Where a workspace lives unless told otherwise: $BENCHTOP_WORKSPACE, else the XDG data folder. */
export function defaultWorkspace(): string {
  if (process.env.BENCHTOP_WORKSPACE) return path.resolve(process.env.BENCHTOP_WORKSPACE);
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'benchtop', 'workspace');
}
