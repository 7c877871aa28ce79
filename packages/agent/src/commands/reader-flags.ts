// Flags shared by the commands that read one backup (verify, fetch).
import type { Flag } from '../command.ts';

export const readerFlags: Record<string, Flag> = {
  store: {
    type: 'string',
    value: 'URL',
    description: 's3://bucket/prefix?…, restic:<repository> or file:///path [LIFEBOAT_STORE]',
  },
  cluster: {
    type: 'string',
    value: 'NAME',
    description: "the backup's cluster, when ids repeat across clusters",
  },
  node: { type: 'string', value: 'NAME', description: "the backup's node, when ids repeat across nodes" },
  key: {
    type: 'string',
    multiple: true,
    value: 'FILE|DIR',
    description: 'armored private key(s) to decrypt with (repeatable)',
  },
  'passphrase-file': {
    type: 'string',
    value: 'FILE',
    description: 'passphrase of the private key [or LIFEBOAT_KEY_PASSPHRASE]',
  },
  'signer-key': {
    type: 'string',
    multiple: true,
    value: 'FILE|DIR',
    description: 'public key(s) whose signatures are accepted (repeatable)',
  },
  'restic-password-file': {
    type: 'string',
    value: 'FILE',
    description: 'restic repository password file [LIFEBOAT_RESTIC_PASSWORD_FILE]',
  },
};

export interface ReaderArgs {
  id: string;
  store?: string;
  cluster?: string;
  node?: string;
  keys: string[];
  passphraseFile?: string;
  signerKeys: string[];
  resticPasswordFile?: string;
}

export function readerArgs(
  values: Record<string, unknown>,
  id: string,
  env: Readonly<Record<string, string | undefined>>,
): ReaderArgs {
  const str = (k: string) => values[k] as string | undefined;
  const store = str('store') ?? env['LIFEBOAT_STORE'];
  const resticPasswordFile = str('restic-password-file') ?? env['LIFEBOAT_RESTIC_PASSWORD_FILE'];
  return {
    id,
    ...(store ? { store } : {}),
    ...(str('cluster') ? { cluster: str('cluster')! } : {}),
    ...(str('node') ? { node: str('node')! } : {}),
    keys: (values['key'] as string[] | undefined) ?? [],
    ...(str('passphrase-file') ? { passphraseFile: str('passphrase-file')! } : {}),
    signerKeys: (values['signer-key'] as string[] | undefined) ?? [],
    ...(resticPasswordFile ? { resticPasswordFile } : {}),
  };
}
