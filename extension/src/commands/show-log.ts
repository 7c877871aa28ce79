import type { ExtensionCommand } from './command.ts';

/** Opens the "Lifeboat" output channel, where every operation logs what it did. */
export const showLog: ExtensionCommand = {
  id: 'lifeboat.showLog',
  run: ({ log }) => log.show(),
};
