// Fetching happens while the cluster still runs: a download of gigabytes, or a
// wrong key, should not add to the downtime or strand a stopped control plane.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q, shellCommand } from '../shell.ts';
import type { StepContext } from './context.ts';

export function fetchStep(c: StepContext): PlanStep | undefined {
  const fetch = c.plan.source.fetch;
  if (!fetch) return undefined;
  const bundle = c.plan.source.bundleDir;
  const parent = bundle.replace(/\/+$/, '').replace(/\/[^/]*$/, '') || '/';
  const argv = [
    'lifeboat',
    'fetch',
    '--store',
    fetch.store,
    fetch.id,
    ...(fetch.cluster ? ['--cluster', fetch.cluster] : []),
    ...(fetch.node ? ['--node', fetch.node] : []),
    '--key',
    fetch.key,
    ...(fetch.signerKeys ?? []).flatMap((k) => ['--signer-key', k]),
    ...(fetch.passphraseFile ? ['--passphrase-file', fetch.passphraseFile] : []),
    ...(fetch.resticPasswordFile ? ['--restic-password-file', fetch.resticPasswordFile] : []),
    '--out',
    bundle,
  ];
  return {
    id: 'fetch',
    title: 'Fetch, verify and decrypt the backup',
    why: 'lifeboat fetch checks the payload against the sha256 in the metadata, decrypts it (integrity check and signature), and checks every file against the bundle manifest before the folder appears. It runs before anything is stopped, so a slow download or a wrong key costs no downtime. The folder holds CA keys and every Secret: it is created 0700. Store credentials come from the environment, as for every lifeboat command (AWS_*, LIFEBOAT_*).',
    commands: [
      [
        `if [[ -f ${q(c.plan.snapshot)} ]]; then`,
        `  echo ${q(`already fetched: ${bundle}`)}`,
        'else',
        `  ${shellCommand(['install', '-d', '-m', '0700', parent])}`,
        `  ${shellCommand(argv)}`,
        'fi',
      ].join('\n'),
    ],
  };
}
