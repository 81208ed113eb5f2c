import { readdir, readFile, readlink } from 'node:fs/promises';
import type net from 'node:net';

/** One open file descriptor, with the socket behind it when it is one. */
export interface FdInfo {
  fd: number;
  type: 'socket' | 'pipe' | 'file' | 'anon' | 'other';
  target: string;
  socket?: { protocol: string; local: string; remote: string | null; state: string | null };
  /** What this process knows the socket as: `listener`, `connection`. */
  known?: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** `0100007F:1F90` → `127.0.0.1:8080`; IPv6 words are little-endian 32-bit groups. */
export function parseProcAddress(hex: string): string {
  const [addr = '', port = '0'] = hex.split(':');
  const p = Number.parseInt(port, 16);
  if (addr.length === 8) {
    const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(addr.slice(i, i + 2), 16));
    return `${bytes.join('.')}:${p}`;
  }
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = addr.slice(w * 8, w * 8 + 8);
    const b = [6, 4, 2, 0].map((i) => word.slice(i, i + 2)).join('');
    groups.push(b.slice(0, 4), b.slice(4, 8));
  }
  const ip = groups.map((g) => g.replace(/^0{1,3}/, '').toLowerCase()).join(':');
  const v4mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(ip);
  if (v4mapped) {
    const a = Number.parseInt(v4mapped[1] as string, 16);
    const b = Number.parseInt(v4mapped[2] as string, 16);
    return `[::ffff:${a >> 8}.${a & 255}.${b >> 8}.${b & 255}]:${p}`;
  }
  return `[${ip.replace(/(^|:)0(:0)+(:|$)/, '::')}]:${p}`;
}

type SocketEntry = NonNullable<FdInfo['socket']>;

async function procSockets(): Promise<Map<string, SocketEntry>> {
  const byInode = new Map<string, SocketEntry>();
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text: string;
    try {
      text = await readFile(`/proc/self/net/${protocol}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const inode = f[9] as string;
      const listening = f[3] === '0A' || (protocol.startsWith('udp') && f[3] === '07');
      byInode.set(inode, {
        protocol,
        local: parseProcAddress(f[1] as string),
        remote: listening ? null : parseProcAddress(f[2] as string),
        state: protocol.startsWith('tcp') ? (TCP_STATES[f[3] as string] ?? f[3] ?? null) : null,
      });
    }
  }
  try {
    const text = await readFile('/proc/self/net/unix', 'utf8');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 7) continue;
      byInode.set(f[6] as string, {
        protocol: 'unix',
        local: f[7] ?? '',
        remote: null,
        state: null,
      });
    }
  } catch {
    // no unix socket table: sockets stay without addresses
  }
  return byInode;
}

/**
 * The servers and sockets alive in this process, from Node's handles, keyed
 * `local|remote` (`local|` for listeners): accepted connections share the
 * listener's local address, so the peer tells them apart.
 */
function knownSockets(): Map<string, string> {
  const known = new Map<string, string>();
  const getHandles = (process as unknown as { _getActiveHandles?: () => unknown[] })
    ._getActiveHandles;
  if (typeof getHandles !== 'function') return known;
  const norm = (a: string | undefined, p: number | undefined) =>
    a === undefined || p === undefined ? undefined : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`;
  for (const h of getHandles.call(process)) {
    try {
      if (
        h &&
        typeof (h as net.Server).listen === 'function' &&
        typeof (h as net.Server).address === 'function'
      ) {
        const a = (h as net.Server).address();
        if (a && typeof a === 'object') {
          const key = norm(a.address, a.port);
          if (key) known.set(`${key}|`, 'listener');
        }
      } else if (h && typeof (h as net.Socket).remoteAddress === 'string') {
        const s = h as net.Socket;
        const local = norm(s.localAddress, s.localPort);
        const remote = norm(s.remoteAddress, s.remotePort);
        if (local && remote) known.set(`${local}|${remote}`, `connection to ${remote}`);
      }
    } catch {
      // a handle that cannot say its address is left out
    }
  }
  return known;
}

function expand(local: string): string[] {
  // Node reports '::' listeners and IPv4-mapped peers in its own spelling.
  const out = [local];
  const m = /^\[::ffff:([\d.]+)\]:(\d+)$/.exec(local);
  if (m) out.push(`[::ffff:${m[1]}]:${m[2]}`, `${m[1]}:${m[2]}`);
  return out;
}

export interface FdsData {
  supported: boolean;
  count: number;
  shown: number;
  limit: { soft: string; hard: string } | null;
  fds: FdInfo[];
}

/** Open file descriptors of this process from /proc, joined with the sockets Node holds. */
export async function listFds(max: number): Promise<FdsData> {
  let names: string[];
  try {
    names = await readdir('/proc/self/fd');
  } catch {
    return { supported: false, count: 0, shown: 0, limit: null, fds: [] };
  }
  const fdNums = names
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b);
  const sockets = await procSockets();
  const known = knownSockets();
  const fds: FdInfo[] = [];
  for (const fd of fdNums.slice(0, max)) {
    let target: string;
    try {
      target = await readlink(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile (the readdir's own fd among them)
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    const info: FdInfo = {
      fd,
      type: m
        ? 'socket'
        : target.startsWith('pipe:')
          ? 'pipe'
          : target.startsWith('anon_inode:')
            ? 'anon'
            : target.startsWith('/')
              ? 'file'
              : 'other',
      target,
    };
    if (m) {
      const socket = sockets.get(m[1] as string);
      if (socket) {
        info.socket = socket;
        const remotes = socket.remote === null ? [''] : expand(socket.remote);
        const k = expand(socket.local)
          .flatMap((l) => remotes.map((r) => known.get(`${l}|${r}`)))
          .find((x) => x !== undefined);
        if (k) info.known = k;
      }
    }
    fds.push(info);
  }
  let limit: FdsData['limit'] = null;
  try {
    const text = await readFile('/proc/self/limits', 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('Max open files'));
    const f = line?.slice('Max open files'.length).trim().split(/\s+/);
    if (f && f.length >= 2) limit = { soft: f[0] as string, hard: f[1] as string };
  } catch {
    // no limits file
  }
  return { supported: true, count: fdNums.length, shown: fds.length, limit, fds };
}
