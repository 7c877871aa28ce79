// Bundles the CLI into one file that runs on a bare Node 24 (the agent image
// ships no node_modules): node build.ts [OUTFILE], default dist/lifeboat.mjs.
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const outfile = resolve(process.argv[2] ?? join(import.meta.dirname, 'dist', 'lifeboat.mjs'));

await build({
  entryPoints: [join(import.meta.dirname, 'src', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // CommonJS dependencies call require(), which an ES module does not have.
  banner: {
    js: "import { createRequire as __lifeboatCreateRequire } from 'node:module'; const require = __lifeboatCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
