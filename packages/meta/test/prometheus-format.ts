// A small strict parser of the Prometheus text format 0.0.4 and OpenMetrics
// 1.0 as renderPrometheus writes them (no timestamps, no exemplars), with
// the structural checks a scraper relies on. It throws on the first problem,
// naming the line.

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped', 'unknown']);

function fail(lineNo: number, line: string, why: string): never {
  throw new Error(`line ${lineNo}: ${why}: ${JSON.stringify(line.slice(0, 200))}`);
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad number ${text}`);
  return Number(text);
}

/** The label set `{a="x",b="y"}` starting at `line[i]`; returns the labels and the index after `}`. */
function parseLabels(line: string, i: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++; // '{'
  while (line[i] !== '}') {
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (!m) throw new Error('bad label name');
    const name = m[0];
    if (name.startsWith('__')) throw new Error(`reserved label name ${name}`);
    if (name in labels) throw new Error(`label ${name} repeats`);
    i += name.length;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new Error('expected ="');
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const e = line[i + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new Error(`bad escape \\${e}`);
        i += 2;
      } else if (c === '\n') {
        throw new Error('raw newline in label value');
      } else {
        value += c;
        i++;
      }
    }
    i++; // closing quote
    labels[name] = value;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error('expected , or }');
  }
  return [labels, i + 1];
}

/** The sample names a family of this type may have. */
function allowedNames(family: ParsedFamily, openMetrics: boolean): string[] {
  const n = family.name;
  switch (family.type) {
    case 'counter':
      return openMetrics ? [`${n}_total`, `${n}_created`] : [n];
    case 'summary':
      return [n, `${n}_sum`, `${n}_count`, ...(openMetrics ? [`${n}_created`] : [])];
    case 'histogram':
      return [`${n}_bucket`, `${n}_sum`, `${n}_count`, ...(openMetrics ? [`${n}_created`] : [])];
    default:
      return [n];
  }
}

const seriesKey = (s: ParsedSample, drop?: string) =>
  `${s.name}{${Object.keys(s.labels)
    .filter((k) => k !== drop)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;

/**
 * Parses an exposition and checks: valid names, HELP and TYPE once per family
 * and before its samples, samples of a family together and named for its
 * type, no duplicate series, histograms cumulative with `+Inf` equal to
 * `_count`, summaries with quantiles in [0, 1], counters non-negative, and
 * for OpenMetrics a final `# EOF`.
 */
export function parseExposition(text: string, openMetrics: boolean): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const series = new Set<string>();
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('the exposition must end with a newline');
  if (openMetrics && lines[lines.length - 1] !== '# EOF')
    throw new Error('OpenMetrics must end with # EOF');
  if (!openMetrics && lines.includes('# EOF')) throw new Error('# EOF in the 0.0.4 format');
  let current: ParsedFamily | undefined;
  const closed = new Set<string>();
  const open = (name: string, lineNo: number, line: string) => {
    if (current?.name === name) return current;
    if (current) closed.add(current.name);
    if (closed.has(name)) fail(lineNo, line, `family ${name} reopened`);
    if (families.has(name)) fail(lineNo, line, `family ${name} repeats`);
    current = { name, type: '', help: '', samples: [] };
    families.set(name, current);
    return current;
  };
  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line === '# EOF') {
      if (!openMetrics || idx !== lines.length - 1) fail(lineNo, line, 'misplaced # EOF');
      return;
    }
    if (line === '') fail(lineNo, line, 'blank line');
    if (line.startsWith('#')) {
      // Only \n ends a line: HELP text may hold \r, U+2028 and other characters `.` would not match.
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/s.exec(line);
      if (!m) fail(lineNo, line, 'comment that is neither HELP nor TYPE');
      const [, kind, rawName, rest] = m;
      if (!METRIC_NAME.test(rawName!)) fail(lineNo, line, 'bad metric name');
      if (openMetrics && rawName!.startsWith('_'))
        fail(lineNo, line, 'OpenMetrics reserves names starting with _');
      if (!openMetrics && families.get(rawName!)?.samples.length)
        fail(lineNo, line, `${kind} after samples`);
      const name = rawName!;
      const f = open(name, lineNo, line);
      if (f.samples.length > 0) fail(lineNo, line, `${kind} after samples`);
      if (kind === 'TYPE') {
        if (f.type !== '') fail(lineNo, line, 'TYPE repeats');
        if (!TYPES.has(rest!)) fail(lineNo, line, 'unknown type');
        if (openMetrics && rest === 'counter' && name.endsWith('_total'))
          fail(lineNo, line, 'OpenMetrics counter family named with _total');
        f.type = rest!;
      } else {
        if (f.help !== '') fail(lineNo, line, 'HELP repeats');
        if (f.type !== '') fail(lineNo, line, 'HELP after TYPE');
        f.help = rest!;
        if (/\\[^\\n"]/.test(rest!.replace(/\\\\/g, ''))) fail(lineNo, line, 'bad escape in HELP');
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) fail(lineNo, line, 'bad sample name');
    const name = nameMatch[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    try {
      if (line[i] === '{') [labels, i] = parseLabels(line, i);
    } catch (error) {
      fail(lineNo, line, (error as Error).message);
    }
    if (line[i] !== ' ') fail(lineNo, line, 'expected a space before the value');
    const rest = line.slice(i + 1);
    if (rest.includes(' ')) fail(lineNo, line, 'timestamp or trailing text');
    let value: number;
    try {
      value = parseValue(rest);
    } catch (error) {
      fail(lineNo, line, (error as Error).message);
    }
    const f = current;
    if (!f || f.type === '') fail(lineNo, line, 'sample before its TYPE');
    if (!allowedNames(f, openMetrics).includes(name))
      fail(lineNo, line, `sample ${name} does not belong to ${f.type} family ${f.name}`);
    for (const k of Object.keys(labels)) if (!LABEL_NAME.test(k)) fail(lineNo, line, 'bad label');
    const sample = { name, labels, value };
    const key = seriesKey(sample);
    if (series.has(key)) fail(lineNo, line, `duplicate series ${key}`);
    series.add(key);
    if (f.type === 'counter' && !(value >= 0)) fail(lineNo, line, 'counter below zero');
    f.samples.push(sample);
  });
  for (const f of families.values()) {
    if (f.type === '') throw new Error(`family ${f.name} has no TYPE`);
    if (f.type === 'histogram') checkHistogram(f);
    if (f.type === 'summary') checkSummary(f);
  }
  return families;
}

function checkHistogram(f: ParsedFamily): void {
  const groups = new Map<
    string,
    { buckets: Array<[number, number]>; count?: number; sum?: number }
  >();
  const group = (s: ParsedSample) => {
    const key = seriesKey({ ...s, name: '' }, 'le');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    return g;
  };
  for (const s of f.samples) {
    if (s.name.endsWith('_bucket')) {
      if (s.labels.le === undefined) throw new Error(`${f.name}: bucket without le`);
      group(s).buckets.push([parseValue(s.labels.le), s.value]);
    } else if (s.name.endsWith('_count')) group(s).count = s.value;
    else if (s.name.endsWith('_sum')) group(s).sum = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.count === undefined || g.sum === undefined)
      throw new Error(`${where}: _count or _sum missing`);
    const last = g.buckets[g.buckets.length - 1];
    if (!last || last[0] !== Number.POSITIVE_INFINITY)
      throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i]![0] > g.buckets[i - 1]![0]))
        throw new Error(`${where}: le not increasing`);
      if (!(g.buckets[i]![1] >= g.buckets[i - 1]![1]))
        throw new Error(`${where}: buckets not cumulative`);
    }
    if (last[1] !== g.count)
      throw new Error(`${where}: +Inf bucket ${last[1]} != _count ${g.count}`);
  }
}

function checkSummary(f: ParsedFamily): void {
  const counts = new Set<string>();
  const sums = new Set<string>();
  const quantiled = new Set<string>();
  for (const s of f.samples) {
    const key = seriesKey({ ...s, name: '' }, 'quantile');
    if (s.name === f.name) {
      const q = Number(s.labels.quantile);
      if (s.labels.quantile === undefined || !(q >= 0 && q <= 1))
        throw new Error(`${f.name}: quantile label missing or out of [0, 1]`);
      quantiled.add(key);
    } else if (s.name.endsWith('_count')) counts.add(key);
    else if (s.name.endsWith('_sum')) sums.add(key);
  }
  for (const key of quantiled)
    if (!counts.has(key) || !sums.has(key))
      throw new Error(`${f.name}${key}: _sum or _count missing`);
}
