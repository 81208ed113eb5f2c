// A lean HTTP/1.1 load generator on raw sockets, for 127.0.0.1 only.
//
// openLoop: requests are scheduled at a fixed rate and sent at their time
// whether or not earlier ones were answered (pipelined on kept-alive
// connections), and each latency is counted from the request's *scheduled*
// time, so a server that queues cannot hide it (no coordinated omission).
// closedLoop: N clients, each sending its next request when the previous
// answer arrives (what autocannon does), with or without keep-alive.
//
// The response parser reads only the status line, Content-Length and
// Connection, so the generator spends little of the CPU it shares with the
// server. Everything is bounded in time and stops by itself.
import net from 'node:net';

const now = () => performance.now();

/** Summary of latencies in ms: count, p50, p90, p99, max. */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const q = (p) =>
    sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]
      : Number.NaN;
  return {
    n: sorted.length,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/**
 * One connection with a FIFO of outstanding requests (their scheduled or
 * sent times) and a minimal response parser. `onResponse(status, t0)` per
 * answer; `onLost(t0)` per request outstanding when the connection closes.
 */
class Conn {
  constructor(port, host, onResponse, onLost) {
    this.pending = [];
    this.head = 0;
    this.buf = '';
    this.need = -1; // body bytes still to skip
    this.status = 0;
    this.closeAfter = false;
    this.open = true;
    this.onResponse = onResponse;
    this.onLost = onLost;
    this.socket = net.connect({ port, host, noDelay: true });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (s) => this.parse(s));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.open = false;
      for (let i = this.head; i < this.pending.length; i++) this.onLost(this.pending[i]);
      this.pending = [];
      this.head = 0;
      this.onClose?.();
    });
  }

  get outstanding() {
    return this.pending.length - this.head;
  }

  send(data, times) {
    for (const t of times) this.pending.push(t);
    this.socket.write(data);
  }

  parse(chunk) {
    this.buf = this.buf.length ? this.buf + chunk : chunk;
    let pos = 0;
    const buf = this.buf;
    for (;;) {
      if (this.need >= 0) {
        const take = Math.min(this.need, buf.length - pos);
        pos += take;
        this.need -= take;
        if (this.need > 0) break;
        this.need = -1;
        this.done();
        continue;
      }
      const end = buf.indexOf('\r\n\r\n', pos);
      if (end < 0) break;
      this.status = Number(buf.slice(pos + 9, pos + 12));
      const head = buf.slice(pos, end + 2).toLowerCase();
      const cl = head.indexOf('\ncontent-length:');
      this.need =
        cl < 0 ? 0 : Number.parseInt(head.slice(cl + 16, head.indexOf('\r', cl + 16)), 10);
      this.closeAfter = head.includes('\nconnection: close');
      pos = end + 4;
    }
    this.buf = pos >= buf.length ? '' : buf.slice(pos);
  }

  done() {
    const t0 = this.pending[this.head++];
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.onResponse(this.status, t0);
    if (this.closeAfter) this.socket.end();
  }

  destroy() {
    this.socket.destroy();
  }
}

function connected(conns) {
  return Promise.all(
    conns.map(
      (c) =>
        new Promise((resolve, reject) => {
          c.socket.once('connect', resolve);
          c.socket.once('error', reject);
        }),
    ),
  );
}

/**
 * Open loop: `rate` requests/s for `duration` ms over `connections`
 * kept-alive connections (round robin), pipelined. Waits up to `timeout` ms
 * after the last send for answers. Latencies from the scheduled time.
 * Returns { sent, served: summary of 2xx, shed: summary of 503, other,
 * timeouts (unanswered within `timeout` of their schedule, answered late
 * ones included), lost (connection closed with them outstanding), servedRate }.
 */
export async function openLoop({
  port,
  host = '127.0.0.1',
  rate,
  duration,
  connections = 16,
  path = '/',
  timeout = 5000,
}) {
  if (!(rate > 0) || !(duration > 0))
    throw new Error('openLoop: rate and duration must be positive');
  const served = [];
  const shed = [];
  let other = 0;
  let late = 0;
  let lost = 0;
  let answered = 0;
  const onResponse = (status, t0) => {
    answered++;
    const ms = now() - t0;
    if (ms > timeout) late++;
    else if (status >= 200 && status < 300) served.push(ms);
    else if (status === 503) shed.push(ms);
    else other++;
  };
  const onLost = () => {
    answered++;
    lost++;
  };
  const make = () => new Conn(port, host, onResponse, onLost);
  const conns = Array.from({ length: connections }, make);
  await connected(conns);
  const request = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
  const start = now();
  const total = Math.floor((rate * duration) / 1000);
  let next = 0;
  let rr = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      const due = Math.min(total, Math.floor(((t - start) * rate) / 1000) + 1);
      // Group this tick's requests per connection: one write each.
      const batches = new Map();
      while (next < due) {
        let c = conns[rr];
        if (!c.open) {
          c = conns[rr] = make();
        }
        rr = (rr + 1) % conns.length;
        let b = batches.get(c);
        if (!b) batches.set(c, (b = []));
        b.push(start + (next * 1000) / rate);
        next++;
      }
      for (const [c, times] of batches) c.send(request.repeat(times.length), times);
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
  });
  const sentEnd = now();
  // Wait for the stragglers, at most `timeout`.
  while (answered < total && now() - sentEnd < timeout) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const unanswered = total - answered;
  for (const c of conns) c.destroy();
  const seconds = (sentEnd - start) / 1000;
  return {
    sent: total,
    served: summarize(served),
    shed: summarize(shed),
    other,
    lost,
    timeouts: unanswered + late,
    servedRate: served.length / seconds,
    seconds,
  };
}

/**
 * Closed loop: `clients` clients, each sends a request, waits for the
 * answer, sends the next, for `duration` ms. keepAlive false: a new
 * connection per request (`Connection: close`). `depth` > 1 keeps that many
 * requests pipelined per kept-alive client (the server never waits for the
 * client, so a paused load generator does not idle it). With `slowEvery` N, every
 * Nth request goes to `slowPath` and its latency is kept apart (`slow`).
 * Returns { requests, rate (answers/s), latency (the others), slow,
 * byStatus, errors }.
 */
export async function closedLoop({
  port,
  host = '127.0.0.1',
  clients = 20,
  duration,
  keepAlive = true,
  path = '/',
  slowEvery = 0,
  slowPath = '/',
  depth = 1,
}) {
  const latencies = [];
  const slow = [];
  const byStatus = {};
  let errors = 0;
  const make = (p) =>
    keepAlive
      ? `GET ${p} HTTP/1.1\r\nHost: ${host}\r\n\r\n`
      : `GET ${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
  const request = make(path);
  const slowRequest = make(slowPath);
  let sent = 0;
  const start = now();
  const deadline = start + duration;
  let stopped = false;
  const client = () =>
    new Promise((resolve) => {
      let conn;
      let isSlow = false;
      const fire = () => {
        if (stopped || now() >= deadline) {
          conn?.destroy();
          resolve();
          return;
        }
        if (!conn?.open || conn.closeAfter) {
          conn?.destroy();
          conn = new Conn(port, host, onResponse, onLost);
        }
        isSlow = slowEvery > 0 && ++sent % slowEvery === 0;
        conn.send(isSlow ? slowRequest : request, [now()]);
      };
      const onResponse = (status, t0) => {
        (isSlow ? slow : latencies).push(now() - t0);
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        fire();
      };
      const onLost = () => {
        errors++;
        setTimeout(fire, 1);
      };
      // `depth` requests pipelined per client (kept-alive only).
      for (let i = 0; i < (keepAlive ? depth : 1); i++) fire();
    });
  const guard = setTimeout(() => {
    stopped = true;
  }, duration + 10_000);
  await Promise.all(Array.from({ length: clients }, client));
  clearTimeout(guard);
  const seconds = (now() - start) / 1000;
  return {
    requests: latencies.length + slow.length,
    rate: (latencies.length + slow.length) / seconds,
    latency: summarize(latencies),
    slow: summarize(slow),
    byStatus,
    errors,
  };
}
