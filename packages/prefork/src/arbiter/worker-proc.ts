import { type ChildProcess, fork } from 'node:child_process';
import type net from 'node:net';
import { CONFIG_ENV, UPGRADE_ENV, WORKER_ID_ENV } from '../env.js';
import { codes, PreforkError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import {
  type ArbiterMessage,
  type Health,
  isOurs,
  type Load,
  TAG,
  type WorkerMessage,
} from '../protocol.js';
import { classifyExit, type ExitCause } from './exit-cause.js';
import { prefixLines } from './output.js';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'stopping' | 'exited';

export interface WorkerEvents {
  ready(w: WorkerProc): void;
  load(w: WorkerProc): void;
  retire(w: WorkerProc, reason: string): void;
  exit(w: WorkerProc, cause: ExitCause): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/** The arbiter's handle on one worker process. */
export class WorkerProc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly forkedAt = Date.now();
  state: WorkerState = 'starting';
  readyAt: number | undefined;
  lastHeartbeat = Date.now();
  /** Last load report; `conns` plus hand-offs it has not acknowledged yet is its true count. */
  reported: Load = { conns: 0, reqs: 0, ack: 0 };
  health: Health = { rss: 0, fds: null, served: 0 };
  /** Sequence number of the last connection handed to it. */
  seq = 0;
  /** Connections handed to it in total. */
  dispatched = 0;
  /** Hand-offs it has not acknowledged yet, oldest first (re-dispatched if it dies before taking them). */
  readonly unacked: Array<{ seq: number; index: number; socket: net.Socket; at: number }> = [];
  failure: string | undefined;
  private killReason: string | null = null;
  private killedByUs = false;
  private killTimer: NodeJS.Timeout | undefined;
  private rid = 0;
  private readonly pending = new Map<number, Pending>();
  readonly exited: Promise<ExitCause>;

  constructor(
    readonly id: number,
    private readonly options: ResolvedOptions,
    private readonly events: WorkerEvents,
    config: object = {},
  ) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      [WORKER_ID_ENV]: String(id),
      [CONFIG_ENV]: JSON.stringify(config),
    };
    delete env[UPGRADE_ENV];
    const prefix = options.workerOutput === 'prefix';
    this.child = fork(process.argv[1] as string, process.argv.slice(2), {
      execArgv: process.execArgv,
      env,
      stdio: prefix ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['inherit', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.pid = this.child.pid ?? -1;
    if (prefix) {
      const tag = `[worker ${id} pid ${this.pid}] `;
      if (this.child.stdout) prefixLines(this.child.stdout, process.stdout, tag);
      if (this.child.stderr) prefixLines(this.child.stderr, process.stderr, tag);
    }
    this.child.on('message', (msg) => this.onMessage(msg));
    this.child.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const wasReady = this.readyAt !== undefined;
        this.state = 'exited';
        clearTimeout(this.killTimer);
        for (const [rid, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(
            new PreforkError(
              codes.NO_WORKER,
              `worker ${id} (pid ${this.pid}) exited before answering`,
            ),
          );
          this.pending.delete(rid);
        }
        const cause = classifyExit(
          code,
          signal,
          this.killReason,
          this.killedByUs,
          wasReady,
          Date.now() - this.forkedAt,
        );
        this.events.exit(this, cause);
        resolve(cause);
      });
    });
  }

  /** Connections the worker holds now, counting hand-offs it has not reported yet. */
  get conns(): number {
    return this.reported.conns + (this.seq - this.reported.ack);
  }

  get uptimeMs(): number {
    return Date.now() - this.forkedAt;
  }

  send(
    msg: ArbiterMessage,
    handle?: net.Socket | net.Server,
    onSent?: (error: Error | null) => void,
  ): boolean {
    if (!this.child.connected) return false;
    try {
      return this.child.send(msg, handle as net.Socket, { keepOpen: false }, onSent);
    } catch (error) {
      onSent?.(error as Error);
      return false;
    }
  }

  /** Stops giving it work and asks it to finish in-flight work and exit; kills it after gracefulTimeout + killGrace. */
  drain(reason: string): void {
    if (this.state === 'exited' || this.state === 'draining' || this.state === 'stopping') return;
    this.state = 'draining';
    this.killReason = reason;
    this.send({ sup: TAG, t: 'drain', timeout: this.options.gracefulTimeout });
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(
      () => this.kill(`${reason}; drain overran gracefulTimeout`),
      this.options.gracefulTimeout + this.options.killGrace,
    );
    this.killTimer.unref();
  }

  /** SIGTERM now, SIGKILL after killGrace. */
  kill(reason: string): void {
    if (this.state === 'exited') return;
    this.state = 'stopping';
    this.killReason = reason;
    this.killedByUs = true;
    try {
      this.child.kill('SIGTERM');
    } catch {}
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => {
      try {
        this.child.kill('SIGKILL');
      } catch {}
    }, this.options.killGrace);
    this.killTimer.unref();
  }

  /** Sends a command to the worker and waits for its reply (rejects after `timeout` ms). */
  command(op: string, arg: unknown, timeout: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.state === 'exited' || !this.child.connected)
        return reject(
          new PreforkError(codes.NO_WORKER, `worker ${this.id} (pid ${this.pid}) has exited`),
        );
      const rid = ++this.rid;
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(
          new PreforkError(
            codes.TIMEOUT,
            `worker ${this.id} (pid ${this.pid}) did not answer ${JSON.stringify(op)} within ${timeout} ms`,
          ),
        );
      }, timeout);
      timer.unref();
      this.pending.set(rid, { resolve, reject, timer });
      this.send({ sup: TAG, t: 'cmd', rid, op, arg });
    });
  }

  private setLoad(load: Load): void {
    this.reported = load;
    while (this.unacked.length > 0 && (this.unacked[0]?.seq ?? 0) <= load.ack) this.unacked.shift();
  }

  private onMessage(msg: unknown): void {
    if (!isOurs(msg)) return;
    const m = msg as WorkerMessage;
    switch (m.t) {
      case 'ready':
        this.lastHeartbeat = Date.now();
        if (this.state === 'starting') {
          this.state = 'ready';
          this.readyAt = Date.now();
          this.events.ready(this);
        }
        break;
      case 'load':
        this.setLoad(m.load);
        this.events.load(this);
        break;
      case 'hb':
        this.lastHeartbeat = Date.now();
        this.setLoad(m.load);
        this.health = { rss: m.rss, fds: m.fds, served: m.served };
        this.events.load(this);
        break;
      case 'retire':
        this.events.retire(this, m.reason);
        break;
      case 'failed':
        this.failure = m.error;
        break;
      case 'reply': {
        const p = this.pending.get(m.rid);
        if (p === undefined) return;
        this.pending.delete(m.rid);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else p.reject(new PreforkError(codes.COMMAND_FAILED, `worker ${this.id}: ${m.error}`));
        break;
      }
    }
  }
}
