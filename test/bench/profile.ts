// `--profile`: one extra, unmeasured run of a lifeboat command under
// `node --cpu-prof`, summarised as where the main thread's time went, by
// package and by function. Work Node does on its thread pool (zlib, some
// crypto, file I/O) is not in a V8 profile: it shows as "(idle)" on the main
// thread, so idle time plus the CPU column of the tables tells that story.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, measure } from './measure.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which package a script URL belongs to: an npm package, a workspace package, or Node itself. */
function owner(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  // Node strips TypeScript types with amaro (SWC compiled to wasm) as it loads each source file.
  if (url.startsWith('wasm://') || url.includes('/deps/amaro/'))
    return 'node: TypeScript type stripping (amaro)';
  if (url.startsWith('node:internal/modules/') || url.startsWith('node:internal/bootstrap/'))
    return 'node: module loading';
  if (url.startsWith('node:internal/')) return `node:internal/${url.split('/')[1]}`;
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@lifeboat/${workspace[1]}`;
  return url.replace(/^file:\/\//, '');
}

export function summarise(profile: CpuProfile, top = 12): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const group = owner(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`;
    functions.set(fn.trim(), (functions.get(fn.trim()) ?? 0) + us);
  }
  const line = ([name, us]: [string, number]) =>
    `${(us / 1e6).toFixed(2)} s (${((us / total) * 100).toFixed(0)}%) ${name}`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `main thread ${(total / 1e6).toFixed(2)} s; self time by package:`,
    ...sorted(groups).map((g) => `  ${line(g)}`),
    'hottest functions (self time):',
    ...sorted(functions).map((f) => `  ${line(f)}`),
  ];
}

/** Runs a `node SCRIPT …` command once more with --cpu-prof and returns the summary as a Markdown block. */
export async function profileRun(title: string, c: Command, dir: string): Promise<string> {
  const before = new Set(await readdir(dir).catch(() => []));
  try {
    await measure({ ...c, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...c.args] });
  } catch (err) {
    return `#### profile: ${title}\n\n**FAILED**: ${(err as Error).message}`;
  }
  const written = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (written.length === 0) return `#### profile: ${title}\n\n(no profile written)`;
  const profile = JSON.parse(await readFile(join(dir, written[0]!), 'utf8')) as CpuProfile;
  return [`#### profile: ${title}`, '', '```', ...summarise(profile), '```'].join('\n');
}
