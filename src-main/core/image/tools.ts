/** Host programs the image builder needs, and the Debian packages that provide them. */
import { BenchtopError } from '../../../src-shared/errors';
import type { GuestImageRecipe } from '../boards/profiles';
import { findOnPath } from '../util/host-tools';

export interface HostTool {
  /** Program name looked up on PATH. */
  name: string;
  /** Debian package that provides it. */
  debPackage: string;
  why: string;
}

export function requiredTools(recipe: GuestImageRecipe): HostTool[] {
  const cross = recipe.crossCompile;
  return [
    { name: 'make', debPackage: 'make', why: 'kernel build' },
    { name: 'gcc', debPackage: 'gcc', why: 'kernel host programs (kconfig, fixdep…)' },
    { name: `${cross}gcc`, debPackage: crossGccPackage(cross), why: 'cross compiler for the guest kernel' },
    { name: `${cross}readelf`, debPackage: crossBinutilsPackage(cross), why: 'shared-library closure of guest programs' },
    { name: 'bc', debPackage: 'bc', why: 'kernel build (timeconst.h)' },
    { name: 'bison', debPackage: 'bison', why: 'kconfig parser' },
    { name: 'flex', debPackage: 'flex', why: 'kconfig lexer' },
    { name: 'perl', debPackage: 'perl', why: 'kernel build scripts' },
    { name: 'tar', debPackage: 'tar', why: 'extracting the kernel source' },
    { name: 'xz', debPackage: 'xz-utils', why: 'the kernel source is .tar.xz' },
    { name: 'patch', debPackage: 'patch', why: 'applying the kernel patches' },
    { name: 'apt-get', debPackage: 'apt', why: `downloading the ${recipe.debArch} userland packages` },
    { name: 'dpkg-deb', debPackage: 'dpkg', why: 'unpacking .deb files' },
    { name: 'dpkg-query', debPackage: 'dpkg', why: 'kernel source package version' },
    { name: 'mkfs.ext4', debPackage: 'e2fsprogs', why: 'SD card image' },
  ];
}

function crossGccPackage(cross: string): string {
  return `gcc-${cross.replace(/-$/, '').replace(/_/g, '-')}`;
}

function crossBinutilsPackage(cross: string): string {
  return `binutils-${cross.replace(/-$/, '').replace(/_/g, '-')}`;
}

/** Absolute path of `name` on `envPath` (a PATH string), or undefined. */
export function which(name: string, envPath: string = process.env.PATH ?? ''): string | undefined {
  return findOnPath(name, envPath) ?? undefined;
}

/**
 * Throw BenchtopError('missing-tool') naming every missing program and its Debian package.
 * `envPath` defaults to process.env.PATH.
 */
export function checkTools(tools: HostTool[], envPath?: string): void {
  const missing = tools.filter((t) => !which(t.name, envPath));
  if (missing.length === 0) return;
  const list = missing.map((t) => `${t.name} (Debian package ${t.debPackage}; needed for ${t.why})`).join(', ');
  const pkgs = [...new Set(missing.map((t) => t.debPackage))].join(' ');
  throw new BenchtopError(
    'missing-tool',
    `guest image build needs host tools that are not on PATH: ${list}. Install with: sudo apt-get install ${pkgs}`,
  );
}
