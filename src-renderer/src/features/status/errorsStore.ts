/** Errors shown in the error banner until the user dismisses them (none is swallowed). */
import { create } from 'zustand';
import { BenchtopError } from '../../../../src-shared/errors';

export interface ShownError {
  key: number;
  /** What the user was doing, e.g. "Start session-1". */
  title: string;
  message: string;
  code: string | null;
  at: number;
  /** The same error again bumps this instead of stacking. */
  count: number;
}

export interface ErrorsState {
  errors: ShownError[];
  push(title: string, err: unknown): void;
  dismiss(key: number): void;
  clear(): void;
}

/** At most this many are kept; older ones go first. */
const MAX_SHOWN = 5;

let nextKey = 1;

export function describeError(err: unknown): { message: string; code: string | null } {
  if (err instanceof BenchtopError) return { message: err.message, code: err.code };
  if (err instanceof Error) return { message: err.message || err.name, code: null };
  return { message: String(err), code: null };
}

export const useErrors = create<ErrorsState>((set) => ({
  errors: [],
  push: (title, err) =>
    set((st) => {
      const { message, code } = describeError(err);
      const same = st.errors.find((e) => e.title === title && e.message === message);
      if (same) {
        return { errors: st.errors.map((e) => (e === same ? { ...e, count: e.count + 1, at: Date.now() } : e)) };
      }
      const shown: ShownError = { key: nextKey++, title, message, code, at: Date.now(), count: 1 };
      return { errors: [...st.errors, shown].slice(-MAX_SHOWN) };
    }),
  dismiss: (key) => set((st) => ({ errors: st.errors.filter((e) => e.key !== key) })),
  clear: () => set({ errors: [] }),
}));

export function reportError(title: string, err: unknown): void {
  console.error(`${title}:`, err);
  useErrors.getState().push(title, err);
}
