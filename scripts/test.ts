// `npm test`: builds the real test servers (first run only), runs every
// workspace's vitest suite through turbo, and sums their JSON reports into
// one closing line "N passed, M failed". Exits non-zero on any failure,
// including a suite that crashed before it could report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
const filters = process.argv.slice(2); // optional: workspace folders to run, e.g. packages/core

function phase(name: string, command: string, args: string[]): number {
  const started = Date.now();
  console.log(`\n=== ${name}`);
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const status = res.status ?? 1;
  console.log(
    `=== ${name}: ${status === 0 ? 'ok' : `failed (exit ${status})`} in ${Math.round((Date.now() - started) / 1000)}s`,
  );
  return status;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

// CI shows only the tail of its log, so each failure is repeated here, short:
// the test's name and the first lines of its error.
function failureLines(w: string, r: VitestReport): string[] {
  const lines: string[] = [];
  const head = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 4)
      .map((l) => `      ${l.slice(0, 240)}`);
  for (const file of r.testResults) {
    const where = `${w}/${file.name.split(`/${w}/`).pop()}`;
    const failedTests = file.assertionResults.filter((a) => a.status === 'failed');
    if (file.status === 'failed' && failedTests.length === 0) {
      lines.push(`  ✗ ${where} (the file failed outside its tests)`, ...head(file.message ?? ''));
    }
    for (const a of failedTests)
      lines.push(`  ✗ ${where} > ${a.fullName}`, ...head(a.failureMessages[0] ?? ''));
  }
  return lines;
}

const workspaces = pkg.workspaces.filter((w) => filters.length === 0 || filters.includes(w));
for (const w of workspaces) rmSync(join(root, w, '.reports'), { recursive: true, force: true });

const buildStatus = phase('test servers (build on first run)', process.execPath, [
  join(root, 'test/infra/cli.ts'),
  'build',
]);
const turboArgs = ['run', 'test', '--concurrency=1', '--continue', '--output-logs=full'];
for (const w of workspaces) turboArgs.push(`--filter=./${w}`);
const testStatus = buildStatus === 0 ? phase('tests', 'turbo', turboArgs) : 1;

let passed = 0;
let failed = buildStatus === 0 ? 0 : 1;
let skipped = 0;
const failures: string[] = [];
console.log('\n=== results');
for (const w of workspaces) {
  const file = join(root, w, '.reports/vitest.json');
  if (!existsSync(file)) {
    // A workspace without tests is a packaging mistake; one that crashed never wrote its report.
    console.log(`${w.padEnd(18)} no report: the suite did not run or crashed`);
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
  // A test file that failed without a failed test (it did not load, or a beforeAll
  // threw and its tests were skipped) counts as one failure.
  const brokenFiles = r.testResults.filter(
    (t) => t.status === 'failed' && !t.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  failures.push(...failureLines(w, r));
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenFiles;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(
    `${w.padEnd(18)} ${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
  );
}
if (failures.length > 0) console.log(`\n=== failed tests\n${failures.join('\n')}\n`);
if (testStatus !== 0 && failed === 0) failed = 1; // turbo failed for a reason no report shows
writeFileSync(join(root, '.reports-summary.json'), JSON.stringify({ passed, failed, skipped }));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
