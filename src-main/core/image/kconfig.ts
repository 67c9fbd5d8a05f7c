/**
 * Kernel config fragments: what the fragment asks for, and whether the final .config has
 * it. merge_config.sh + olddefconfig silently drop an option whose dependencies fail, so
 * the builder checks every requested option after configuring.
 */

export type KconfigWant = { name: string; value: string } | { name: string; unset: true };

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** Options a fragment (or a .config) sets, in order; the last assignment of a name wins. */
export function parseFragment(text: string): KconfigWant[] {
  const byName = new Map<string, KconfigWant>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m = SET.exec(line);
    if (m) {
      byName.delete(m[1]!);
      byName.set(m[1]!, { name: m[1]!, value: m[2]! });
      continue;
    }
    m = UNSET.exec(line);
    if (m) {
      byName.delete(m[1]!);
      byName.set(m[1]!, { name: m[1]!, unset: true });
    }
  }
  return [...byName.values()];
}

/** name → value for every option a .config sets (unset ones are absent). */
export function parseDotConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = SET.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Human-readable problems, one per requested option the final .config does not honour. */
export function verifyConfig(fragment: string, dotConfig: string): string[] {
  const have = parseDotConfig(dotConfig);
  const problems: string[] = [];
  for (const want of parseFragment(fragment)) {
    const got = have.get(want.name);
    if ('unset' in want) {
      if (got === 'y' || got === 'm') problems.push(`${want.name}: wanted not set, got ${got}`);
    } else if (got !== want.value) {
      problems.push(`${want.name}: wanted ${want.value}, got ${got === undefined ? 'not set' : got}`);
    }
  }
  return problems;
}
