// Bundles the CLI into a folder that runs on a bare Node 24 (the agent image ships no
// node_modules): node build.ts [OUTDIR], default dist/. OUTDIR gets the entry lifeboat.mjs and
// chunks/*.mjs; `node OUTDIR/lifeboat.mjs` runs it. See docs/adr/005-agent-memory.md.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const outdir = resolve(process.argv[2] ?? join(import.meta.dirname, 'dist'));
if (outdir.endsWith('.mjs')) {
  // The single-file bundle took a file name; the split bundle takes a folder.
  process.stderr.write(`build.ts: ${outdir}: give a folder (the entry is OUTDIR/lifeboat.mjs)\n`);
  process.exit(2);
}

const result = await build({
  entryPoints: { lifeboat: join(import.meta.dirname, 'src', 'cli.ts') },
  outdir,
  write: false,
  bundle: true,
  // Each command's `await import('./run/<command>.ts')` becomes its own chunk, loaded on demand:
  // without splitting, esbuild inlines every command (parsed at every start, 84 MiB RSS for
  // `version`); split, Node parses only what the command imports (51 MiB).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // V8 holds and pre-parses each loaded file: without whitespace and comments the code is about
  // half the size. Names stay, so stack traces read.
  minifyWhitespace: true,
  // CommonJS dependencies call require(), which an ES module does not have (in every chunk).
  banner: {
    js: "import { createRequire as __lifeboatCreateRequire } from 'node:module'; const require = __lifeboatCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// Stale chunks of an earlier build would otherwise stay next to the new ones.
await rm(join(outdir, 'chunks'), { recursive: true, force: true });
await rm(join(outdir, 'lifeboat.mjs'), { force: true });
for (const file of result.outputFiles) {
  // esbuild escapes non-ASCII in code but not in the license comments it keeps; one such
  // character makes V8 hold that whole file as a two-byte string.
  const text = file.text.replace(/[\u0080-\u{10ffff}]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, text);
}
await chmod(join(outdir, 'lifeboat.mjs'), 0o755);
