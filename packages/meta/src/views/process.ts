import { readFile } from 'node:fs/promises';
import { release, userInfo } from 'node:os';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { html } from '@support/web';
import { format } from '../html/format.js';
import { kv, table } from '../html/layout.js';
import { type FdsData, listFds } from './fds.js';
import { limit, snapshot, type View } from './view.js';

async function processLimits(): Promise<
  Array<{ name: string; soft: string; hard: string; units: string }>
> {
  try {
    const text = await readFile('/proc/self/limits', 'utf8');
    return text
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const name = l.slice(0, 26).trim();
        const [soft = '', hard = '', units = ''] = l.slice(26).trim().split(/\s+/);
        return { name, soft, hard, units };
      });
  } catch {
    return [];
  }
}

function user(): { uid: number; gid: number; username: string | null } {
  let username: string | null = null;
  try {
    username = userInfo().username;
  } catch {
    username = null;
  }
  return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, username };
}

export interface ProcessData {
  pid: number;
  ppid: number;
  title: string;
  execPath: string;
  cwd: string;
  argv: string[];
  execArgv: string[];
  platform: string;
  arch: string;
  osRelease: string;
  uptimeMs: number;
  user: { uid: number; gid: number; username: string | null };
  memory: NodeJS.MemoryUsage;
  constrainedMemory: number | null;
  resourceUsage: NodeJS.ResourceUsage;
  cpuUsage: NodeJS.CpuUsage;
  heap: ReturnType<typeof getHeapStatistics>;
  heapSpaces: ReturnType<typeof getHeapSpaceStatistics>;
  limits: Array<{ name: string; soft: string; hard: string; units: string }>;
  versions: NodeJS.ProcessVersions;
}

export const processView: View<ProcessData> = {
  path: '/process',
  title: 'Process',
  async data(v) {
    const r = v.state.redactor;
    const constrained = (
      process as { constrainedMemory?: () => number | undefined }
    ).constrainedMemory?.();
    return {
      pid: process.pid,
      ppid: process.ppid,
      title: r.argv(process.title.split(' ')).join(' '),
      execPath: process.execPath,
      cwd: process.cwd(),
      argv: r.argv(process.argv),
      execArgv: r.argv(process.execArgv),
      platform: process.platform,
      arch: process.arch,
      osRelease: release(),
      uptimeMs: Math.round(process.uptime() * 1000),
      user: user(),
      memory: process.memoryUsage(),
      constrainedMemory: constrained && constrained > 0 ? constrained : null,
      resourceUsage: process.resourceUsage(),
      cpuUsage: process.cpuUsage(),
      heap: getHeapStatistics(),
      heapSpaces: getHeapSpaceStatistics(),
      limits: await processLimits(),
      versions: process.versions,
    };
  },
  page(d) {
    const ru = d.resourceUsage;
    return html`<div class="cols"><section>${kv([
      ['pid / ppid', `${d.pid} / ${d.ppid}`],
      ['title', d.title],
      ['user', `${d.user.username ?? '?'} (uid ${d.user.uid}, gid ${d.user.gid})`],
      ['executable', d.execPath],
      ['cwd', d.cwd],
      ['argv', html`<code>${d.argv.join(' ')}</code>`],
      ['execArgv', html`<code>${d.execArgv.join(' ') || '–'}</code>`],
      ['platform', `${d.platform}/${d.arch} ${d.osRelease}`],
      ['uptime', format.ms(d.uptimeMs)],
      [
        'CPU user / system',
        `${format.ms(d.cpuUsage.user / 1000)} / ${format.ms(d.cpuUsage.system / 1000)}`,
      ],
    ])}
<h2>Memory</h2>${kv([
      ...Object.entries(d.memory).map(([k, x]) => [k, format.bytes(x)] as [string, string]),
      ['heap size limit', format.bytes(d.heap.heap_size_limit)],
      [
        'constrained (cgroup)',
        d.constrainedMemory === null ? '–' : format.bytes(d.constrainedMemory),
      ],
    ])}
<h2>Heap spaces</h2>${table(
      ['space', 'size', 'used', 'available'],
      d.heapSpaces.map((s) => [
        s.space_name,
        format.bytes(s.space_size),
        format.bytes(s.space_used_size),
        format.bytes(s.space_available_size),
      ]),
      'num',
    )}</section><section>
<h2>Resource usage</h2>${kv([
      ['max RSS', format.bytes(ru.maxRSS * 1024)],
      ['page faults minor / major', `${ru.minorPageFault} / ${ru.majorPageFault}`],
      [
        'context switches vol. / invol.',
        `${ru.voluntaryContextSwitches} / ${ru.involuntaryContextSwitches}`,
      ],
      ['fs reads / writes', `${ru.fsRead} / ${ru.fsWrite}`],
    ])}
<h2>Limits</h2>${table(
      ['limit', 'soft', 'hard', 'units'],
      d.limits.map((l) => [l.name, l.soft, l.hard, l.units]),
    )}
<h2>Versions</h2>${kv(Object.entries(d.versions).map(([k, x]) => [k, x]))}
</section></div>`;
  },
};

export interface EnvironmentData {
  variables: Record<string, string>;
  masked: string[];
  argv: string[];
  execArgv: string[];
}

/** Longest value shown for one variable. */
const MAX_VALUE = 4096;

export const environmentView: View<EnvironmentData> = {
  path: '/environment',
  title: 'Environment',
  data(v) {
    const r = v.state.redactor;
    const { variables, masked } = r.environment(process.env);
    for (const [k, x] of Object.entries(variables)) {
      if (x.length > MAX_VALUE) variables[k] = `${x.slice(0, MAX_VALUE)}…`;
    }
    return { variables, masked, argv: r.argv(process.argv), execArgv: r.argv(process.execArgv) };
  },
  page(d) {
    return html`<p class="muted">${d.masked.length} values masked: names containing KEY, SECRET, TOKEN, PASS, AUTH, CREDENTIAL, COOKIE, PRIVATE, SESSION or SIGNATURE, and credentials inside URLs.</p>
${kv(
  Object.entries(d.variables).map(([k, x]) => [k, html`<code>${x}</code>`]),
  'kv env',
)}
<h2>argv</h2><ol class="argv">${d.argv.map((a) => html`<li><code>${a}</code></li>`)}</ol>
<h2>execArgv</h2><ol class="argv">${d.execArgv.map((a) => html`<li><code>${a}</code></li>`)}</ol>`;
  },
};

export interface ConfigData {
  worker: string | null;
  config: Record<string, number>;
  registries: unknown;
  log: { level: string; records: number; sinkErrors: number; loggers: number; sinks: number };
  recent: unknown;
  components: unknown;
  meta: {
    source: string;
    authentication: boolean;
    allowMutations: boolean;
    heapSnapshots: boolean;
    maxRows: number;
    maxResponseBytes: number;
  };
}

export const configView: View<ConfigData> = {
  path: '/config',
  title: 'Configuration',
  async data(v) {
    const snap = await snapshot(v);
    const { ring: _ring, ...log } = snap.log ?? ({} as typeof snap.log);
    const { events: _events, ...recent } = snap.recent ?? ({} as typeof snap.recent);
    return {
      worker: v.worker ?? null,
      config: snap.config,
      registries: snap.registries,
      log: log as ConfigData['log'],
      recent,
      components: (snap as { componentRegistry?: unknown }).componentRegistry ?? null,
      meta: {
        source: v.state.source.kind,
        authentication: v.state.token !== undefined,
        allowMutations: v.state.allowMutations,
        heapSnapshots: v.state.heapSnapshotDir !== undefined,
        maxRows: v.state.maxRows,
        maxResponseBytes: v.state.maxResponseBytes,
      },
    };
  },
  page(d) {
    const regs = Object.entries((d.registries ?? {}) as Record<string, Record<string, number>>);
    return html`<div class="cols"><section><h2>Context configuration</h2>${kv(Object.entries(d.config))}
<h2>Log</h2>${kv(Object.entries(d.log ?? {}))}
<h2>Meta</h2>${kv(Object.entries(d.meta).map(([k, x]) => [k, String(x)]))}</section>
<section><h2>Registries</h2>${table(
      ['registry', 'size', 'max names', 'overflow', 'bad names', 'evicted'],
      regs.map(([name, r]) => [name, r.size, r.maxNames, r.overflow, r.badNames, r.evicted]),
      'num',
    )}
<h2>Recent rings</h2>${kv(Object.entries((d.recent ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x)]))}
${d.components ? html`<h2>Component registry</h2>${kv(Object.entries(d.components as Record<string, unknown>).map(([k, x]) => [k, String(x)]))}` : html``}
</section></div>`;
  },
};

export const fdsView: View<FdsData> = {
  path: '/fds',
  title: 'File descriptors',
  data(v) {
    return listFds(limit(v));
  },
  page(d) {
    if (!d.supported)
      return html`<p class="muted">/proc/self/fd is not readable on this system.</p>`;
    return html`<p>${d.count} open${d.limit ? html`, limit ${d.limit.soft} (hard ${d.limit.hard})` : html``}${d.shown < d.count ? html`, first ${d.shown} shown` : html``}. This is the process serving this page.</p>
${table(
  ['fd', 'type', 'target', 'protocol', 'local', 'remote', 'state', 'known as'],
  d.fds.map((f) => [
    f.fd,
    f.type,
    f.target,
    f.socket?.protocol ?? '',
    f.socket?.local ?? '',
    f.socket?.remote ?? '',
    f.socket?.state ?? '',
    f.known ?? '',
  ]),
)}`;
  },
};
