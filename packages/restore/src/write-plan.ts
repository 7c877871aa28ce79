// Writes a plan as files: RUNBOOK.md, restore-<member>.sh (executable), and
// for each member whose etcd.yaml was known, the edited file and its diff;
// plan.json carries the same plan as data for tools.
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LifeboatError } from '@lifeboat/core';
import type { RestorePlan } from './plan-types.ts';
import { renderRunbook } from './render-runbook.ts';
import { renderScript } from './render-script.ts';
import { scriptName } from './steps/context.ts';

export interface WrittenPlan {
  dir: string;
  runbook: string;
  scripts: string[];
  /** Edited etcd.yaml files and their diffs. */
  manifests: string[];
  json: string;
}

async function put(path: string, text: string, mode: number): Promise<void> {
  await writeFile(path, text, { mode });
  // writeFile's mode applies only to new files; an earlier plan's file keeps its own.
  await chmod(path, mode);
}

// The files a plan consists of: an earlier plan's are replaced as a whole, so
// no script of a member that is no longer in the topology is left to run.
const planFile = /^(RUNBOOK\.md|plan\.json|restore-.+\.sh|etcd\.yaml\..+\.(edited|diff))$/;

async function clearEarlierPlan(dir: string): Promise<void> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException): string[] => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (names.length === 0) return;
  if (!names.includes('plan.json') || !names.every((n) => planFile.test(n))) {
    throw new LifeboatError(
      'usage',
      `${dir} is not empty and holds more than an earlier restore plan: give --out an empty or new folder`,
    );
  }
  await Promise.all(names.map((n) => rm(join(dir, n))));
}

export async function writePlan(plan: RestorePlan, outDir: string): Promise<WrittenPlan> {
  const dir = resolve(outDir);
  await clearEarlierPlan(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const runbook = join(dir, 'RUNBOOK.md');
  await put(runbook, renderRunbook(plan), 0o644);
  const scripts: string[] = [];
  const manifests: string[] = [];
  for (const member of plan.members) {
    const script = join(dir, scriptName(member.name));
    await put(script, renderScript(plan, member), 0o755);
    scripts.push(script);
    if (member.manifest) {
      const edited = join(dir, `etcd.yaml.${member.name}.edited`);
      const diff = join(dir, `etcd.yaml.${member.name}.diff`);
      // kubeadm writes static-pod manifests 0600.
      await put(edited, member.manifest.edit.after, 0o600);
      await put(diff, member.manifest.diff, 0o644);
      manifests.push(edited, diff);
    }
  }
  const json = join(dir, 'plan.json');
  await put(json, `${JSON.stringify(plan, null, 2)}\n`, 0o644);
  return { dir, runbook, scripts, manifests, json };
}
