// Extensions packaged as .vsix files: the Lifeboat extension as users get it
// (extension/'s `npm run package`: esbuild bundle, then vsce with the
// .vscodeignore allowlist), and plain-JavaScript fixture extensions.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '../..');
const extensionDir = join(repoRoot, 'extension');
const vsceFlags = ['--no-dependencies', '--allow-missing-repository', '--skip-license'];

function run(command: string, args: string[], cwd: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${code}):\n${output.trim()}`));
    });
  });
}

/** Builds extension/dist/lifeboat.vsix from the current sources and returns its path. */
export async function packageExtension(): Promise<string> {
  await run('npm', ['run', '--silent', 'package'], extensionDir, 'packaging the extension (npm run package)');
  return join(extensionDir, 'dist', 'lifeboat.vsix');
}

/** Packages an extension folder that needs no build (a test fixture) as outFile. */
export async function packageFolder(dir: string, outFile: string): Promise<string> {
  const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
  await run(vsce, ['package', ...vsceFlags, '--out', outFile], dir, `vsce package in ${dir}`);
  return outFile;
}
