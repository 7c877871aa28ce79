// What `lifeboat fetch` does once its flags are parsed; loaded on demand (see ../fetch.ts).
import type { Io } from '../../io.ts';
import { progressLine } from '../../log.ts';
import { fetchBackup } from '../../operations/fetch.ts';
import { readerKeys } from '../../operations/keys.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { json } from '../../output.ts';
import { streamingPipelineGcs } from '../../young-gc.ts';
import type { FetchArgs } from '../fetch.ts';

export async function fetch(args: FetchArgs, io: Io): Promise<number> {
  streamingPipelineGcs();
  const store = await storeFromSettings(
    {
      store: args.store,
      ...(args.resticPasswordFile ? { 'restic-password-file': args.resticPasswordFile } : {}),
    },
    io.env,
  );
  const keys = await readerKeys(args, io.env);
  const progress = progressLine(io, 'fetch');
  let result: Awaited<ReturnType<typeof fetchBackup>>;
  try {
    result = await fetchBackup({
      store,
      id: args.id,
      ...(args.cluster ? { cluster: args.cluster } : {}),
      ...(args.node ? { node: args.node } : {}),
      privateKeys: keys.privateKeys,
      verificationKeys: keys.verificationKeys,
      out: args.out,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  if (args.output === 'json') io.stdout(json(result));
  else {
    io.stdout(
      `backup ${result.id} of ${result.cluster}/${result.node} extracted to ${result.out} (${result.files} files, verified${result.signer ? `, signed by ${result.signer}` : ''})\n` +
        `  snapshot: ${result.out}/etcd/snapshot.db\n  /etc/kubernetes: ${result.out}/kubernetes\n`,
    );
  }
  return 0;
}
