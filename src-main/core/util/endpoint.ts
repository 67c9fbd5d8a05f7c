import type net from 'node:net';

/**
 * Where a QEMU character device listens: `tcp:HOST:PORT` (`-chardev socket,host=…,port=…`) or
 * the path of a unix socket. Deterministic sessions use TCP (docs/deterministic-mode.md).
 */
export type Endpoint = string;

export function tcpEndpoint(port: number): Endpoint {
  return `tcp:127.0.0.1:${port}`;
}

export function connectOptsOf(endpoint: Endpoint): net.NetConnectOpts {
  const m = /^tcp:(.+):(\d+)$/.exec(endpoint);
  return m ? { host: m[1]!, port: Number(m[2]) } : { path: endpoint };
}
