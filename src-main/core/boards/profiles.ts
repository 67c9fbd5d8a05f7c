/**
 * Board profiles are data: which QEMU machine, which arguments, which kernel config, which UART
 * is which. Adding a board means adding an entry here and its files under resources/guest/<id>/.
 */
export interface GuestImageRecipe {
  /** Kernel architecture and cross prefix for `make ARCH=… CROSS_COMPILE=…`. */
  arch: 'arm';
  crossCompile: string;
  /** Debian architecture of the userland packages. */
  debArch: 'armel';
  defconfig: string;
  /** Paths relative to the repo root. */
  configFragment: string;
  patchesDir: string;
  /** Kernel image target and where make leaves it, relative to the kernel tree. */
  kernelTarget: string;
  /** The uncompressed kernel (`arch/arm/boot/Image`): the builder wraps it as a uImage. */
  kernelImagePath: string;
  /**
   * Where the kernel runs (RAM base + TEXT_OFFSET): the uImage's load address and entry point.
   * QEMU loads a uImage there; a zImage would decompress itself on every boot (~0.4 s emulated).
   */
  kernelLoadAddress: number;
  /** SD card image size; QEMU's SD model wants a power of two. */
  sdSizeMiB: number;
  /**
   * Debian package whose /usr/src/<package>.tar.xz is the kernel source (default
   * linux-source-6.1). The rest of the board's guest files follow a fixed layout under
   * resources/guest/<board id>/ (init, <debArch>-packages.txt, rootfs/, sd/): see
   * docs/guest-image.md.
   */
  kernelSourcePackage?: string;
}

export interface BoardProfile {
  id: string;
  title: string;
  description: string;
  qemuBinary: string;
  machine: string;
  /** Arguments always passed for this board (after -M). */
  extraArgs: string[];
  kernelCmdline: string;
  /**
   * Order of `-serial` arguments. Index 0 is the first UART of the board. Each entry names
   * what Benchtop connects there and the guest device it appears as.
   */
  serials: { role: 'console' | 'agent'; guestDevice: string }[];
  /** How the SD card / disk is attached. */
  diskArgs: (file: string) => string[];
  /** Guest network: user-mode NIC. */
  netArgs: string[];
  /** The shell prompt printed on the console once the guest is up (regex source). */
  promptPattern: string;
  /**
   * QEMU key codes (QKeyCode) the board's own input device turns into guest key events; other
   * keys injected over QMP are dropped by its model. Checked on the guest (docs/input.md).
   */
  keypadKeys: readonly string[];
  image: GuestImageRecipe;
}

export const mainstone: BoardProfile = {
  id: 'mainstone',
  title: 'Mainstone II (PXA270)',
  description: 'Intel PXA270 XScale, 64 MiB RAM, SD card, SMC91x Ethernet, PXA27x keypad, 240x320 LCD.',
  qemuBinary: 'qemu-system-arm',
  machine: 'mainstone',
  extraArgs: ['-display', 'none', '-msg', 'timestamp=on'],
  // lpj skips the delay-loop calibration (saves ~0.25 s of boot, guest-notes.md).
  kernelCmdline: 'console=ttyS0,115200 lpj=8364032',
  serials: [
    { role: 'console', guestDevice: '/dev/ttyS0' }, // FFUART 0x40100000
    { role: 'agent', guestDevice: '/dev/ttyS1' }, // BTUART 0x40200000
  ],
  diskArgs: (file) => ['-drive', `if=sd,file=${file},format=raw`],
  netArgs: ['-nic', 'user'],
  promptPattern: 'benchtop:[^\\r\\n]*# $',
  // QEMU's PXA27x keypad matrix for mainstone (hw/arm/mainstone.c map[]): letters, dot, slash,
  // home, shift, space, return, backspace and the arrows. No digits, minus, comma, esc, tab, ctrl.
  keypadKeys: [
    ...'abcdefghijklmnopqrstuvwxyz'.split(''),
    'dot', 'slash', 'home', 'shift', 'spc', 'ret', 'backspace', 'up', 'down', 'left', 'right',
  ],
  image: {
    arch: 'arm',
    crossCompile: 'arm-linux-gnueabi-',
    debArch: 'armel',
    defconfig: 'mainstone_defconfig',
    configFragment: 'resources/guest/mainstone/kernel.config',
    patchesDir: 'resources/guest/mainstone/patches',
    kernelTarget: 'Image',
    kernelImagePath: 'arch/arm/boot/Image',
    kernelLoadAddress: 0xa0008000, // PXA27x SDRAM at 0xa0000000, TEXT_OFFSET 0x8000
    sdSizeMiB: 64,
    kernelSourcePackage: 'linux-source-6.1',
  },
};

export const boards: Record<string, BoardProfile> = { [mainstone.id]: mainstone };

export function findBoard(id: string): BoardProfile | undefined {
  return Object.prototype.hasOwnProperty.call(boards, id) ? boards[id] : undefined;
}
