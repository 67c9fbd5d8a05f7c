import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mainstone } from '../boards/profiles';
import { findRepoRoot } from '../util/repo-root';
import { parseFragment, verifyConfig } from './kconfig';

describe('kernel config verification', () => {
  const fragment = ['CONFIG_A=y', '# CONFIG_B is not set', 'CONFIG_S="x y"', 'CONFIG_N=17', '# comment', 'CONFIG_A=y'].join('\n');

  it('parses set and unset options, last one wins', () => {
    expect(parseFragment(fragment)).toEqual([
      { name: 'CONFIG_B', unset: true },
      { name: 'CONFIG_S', value: '"x y"' },
      { name: 'CONFIG_N', value: '17' },
      { name: 'CONFIG_A', value: 'y' },
    ]);
  });

  it('accepts a .config that honours everything (unset = absent or "is not set")', () => {
    expect(verifyConfig(fragment, 'CONFIG_A=y\nCONFIG_S="x y"\nCONFIG_N=17\n')).toEqual([]);
    expect(verifyConfig(fragment, 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S="x y"\nCONFIG_N=17\n')).toEqual([]);
  });

  it('lists every dropped or changed option', () => {
    const problems = verifyConfig(fragment, 'CONFIG_B=y\nCONFIG_S="x"\nCONFIG_N=17\n');
    expect(problems).toEqual([
      'CONFIG_B: wanted not set, got y',
      'CONFIG_S: wanted "x y", got "x"',
      'CONFIG_A: wanted y, got not set',
    ]);
    expect(verifyConfig('CONFIG_MMC_PXA=y', 'CONFIG_MMC_PXA=m')).toEqual(['CONFIG_MMC_PXA: wanted y, got m']);
  });

  it('the mainstone fragment asks for what the guest needs', () => {
    const text = fs.readFileSync(path.join(findRepoRoot(), mainstone.image.configFragment), 'utf8');
    const want = new Map(parseFragment(text).map((w) => [w.name, 'unset' in w ? 'unset' : w.value]));
    for (const o of ['AEABI', 'BLK_DEV_INITRD', 'RD_GZIP', 'DEVTMPFS', 'TMPFS', 'SERIAL_PXA_CONSOLE', 'FTRACE_SYSCALLS', 'BLK_DEV_IO_TRACE', 'PXA_DMA', 'MMC_PXA', 'EXT4_FS', 'SMC91X', 'KEYBOARD_PXA27x', 'USB_OHCI_HCD_PXA27X', 'USB_HID', 'MODULES', 'KPROBE_EVENTS', 'DEBUG_INFO_NONE', 'UNIX', 'UNIX98_PTYS', 'INET']) {
      expect(want.get(`CONFIG_${o}`), o).toBe('y');
    }
    for (const o of ['OABI_COMPAT', 'JFFS2_FS', 'NFS_FS', 'IP_PNP']) expect(want.get(`CONFIG_${o}`), o).toBe('unset');
  });
});
