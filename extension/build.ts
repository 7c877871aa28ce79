// Bundles the extension into the one CommonJS file VS Code loads:
// node build.ts [OUTFILE], default dist/extension.cjs. `vscode` is provided by
// the editor at run time, so it stays an external require.
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const outfile = resolve(process.argv[2] ?? join(import.meta.dirname, 'dist', 'extension.cjs'));

await build({
  entryPoints: [join(import.meta.dirname, 'src', 'extension.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  // VS Code 1.100 runs extensions on Electron's Node 20.
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // ES modules among the dependencies (openpgp.js) call createRequire(import.meta.url),
  // which a CommonJS bundle lacks: give them this file's own URL.
  define: { 'import.meta.url': '__lifeboatFileUrl' },
  banner: { js: "const __lifeboatFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
