// The VS Code extension packaged as the .vsix users install: extension/'s
// `npm run package` (esbuild bundle, then vsce with the .vscodeignore allowlist).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const extensionDir = join(import.meta.dirname, '../../extension');

/** Builds extension/dist/lifeboat.vsix from the current sources and returns its path. */
export function packageExtension(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'package'], {
      cwd: extensionDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(join(extensionDir, 'dist', 'lifeboat.vsix'));
      else
        reject(
          new Error(`packaging the extension (npm run package in extension/) failed:\n${output.trim()}`),
        );
    });
  });
}
