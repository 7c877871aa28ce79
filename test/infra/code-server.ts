// VS Code in the browser: code-server on loopback with no auth, a throwaway
// user-data and extensions folder, the extensions under test installed from
// their .vsix first, and quiet settings (no welcome page, no updates, no AI
// features). Drive it with a browser (browser.ts, workbench.ts).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaries, ensureBinary } from './binaries.ts';
import { freePort } from './ports.ts';
import { type Server, startServer } from './process.ts';
import { descendants, reap } from './process-tree.ts';

export interface CodeServerOptions {
  /** The folder VS Code opens. */
  workspace: string;
  /** Where extensions are installed; default a fresh folder removed by stop(). */
  extensionsDir?: string;
  /** .vsix files installed (in order) before the server starts. */
  vsix?: string[];
  /** Merged over the quiet defaults into <user-data-dir>/User/settings.json. */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and the extension host it starts. */
  env?: NodeJS.ProcessEnv;
}

export interface CodeServer {
  /** Opens the workbench on the workspace folder. */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own output (the extension host's logs are under userDataDir/logs). */
  logFile: string;
  server: Server;
  stop(): Promise<void>;
}

/** Settings that keep the workbench free of first-run noise in a test. */
export const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  // Servers the tests start (etcd, MinIO) would each pop up a "port is available" toast.
  'remote.autoForwardPorts': false,
};

/**
 * Environment for code-server: its config and data under dir, not in $HOME;
 * and none of the variables with which a VS Code terminal would make
 * `code-server …` talk to that running editor instead of starting its own.
 */
function serverEnv(dir: string, extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return {
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    VSCODE_IPC_HOOK_CLI: undefined,
    VSCODE_PROXY_URI: undefined,
    CODE_SERVER_PARENT_PID: undefined,
    CODE_SERVER_CONFIG: undefined,
    PORT: undefined,
    ...extra,
  };
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Runs code-server once as a CLI (e.g. --install-extension); rejects with its output on failure. */
function runCli(entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${output.trim()}`));
    });
  });
}

export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  const nodeMajor = binaries['code-server'].source.nodeMajor;
  if (Number(process.versions.node.split('.')[0]) !== nodeMajor) {
    throw new Error(
      `code-server runs on Node ${nodeMajor} (its native modules are built for it), this is Node ` +
        `${process.versions.node}: run the tests through scripts/toolchain.sh`,
    );
  }
  const { 'code-server': entry } = await ensureBinary('code-server');
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-code-server-'));
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = o.extensionsDir ?? join(dir, 'extensions');
  const env = serverEnv(dir, o.env);
  const port = await freePort();
  let server: Server;
  try {
    await mkdir(join(userDataDir, 'User'), { recursive: true });
    await mkdir(extensionsDir, { recursive: true });
    await writeFile(
      join(userDataDir, 'User', 'settings.json'),
      `${JSON.stringify({ ...quietSettings, ...o.userSettings }, null, 2)}\n`,
    );
    const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    for (const vsix of o.vsix ?? []) {
      const out = await runCli(entry!, [...dirs, '--install-extension', vsix], env);
      if (!/successfully installed/i.test(out)) {
        throw new Error(`code-server --install-extension ${vsix} did not report success:\n${out.trim()}`);
      }
    }
    // An empty config file, so code-server neither reads nor writes ~/.config/code-server/config.yaml.
    const config = join(dir, 'config.yaml');
    await writeFile(config, '');
    server = await startServer({
      name: 'code-server',
      command: process.execPath,
      args: [
        entry!,
        '--config',
        config,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        ...dirs,
        o.workspace,
      ],
      logFile: join(dir, 'code-server.log'),
      env,
      ready: () => healthy(`http://127.0.0.1:${port}/healthz`),
      timeoutMs: 120_000,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?folder=${encodeURIComponent(o.workspace)}`,
    origin,
    userDataDir,
    extensionsDir,
    logFile: server.logFile,
    server,
    async stop() {
      // code-server forks the real server, which starts the extension host and more: wait for all.
      const tree = server.child.pid ? descendants(server.child.pid) : [];
      await server.stop();
      await reap(tree);
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}
