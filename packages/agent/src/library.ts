// The agent as a library, for the VS Code extension: the same operations the
// CLI's commands call (never a second implementation of verify or fetch), and
// what the extension reads of the agent's in-cluster status — without the
// CLI itself (its parser, help and output).
export { apiError, apiStatus } from './kubernetes/client.ts';
export * from './kubernetes/status.ts';
export * from './operations/fetch.ts';
export * from './operations/find-backup.ts';
export * from './operations/list.ts';
export { cronJobName } from './operations/manifests.ts';
export { storeFromSettings } from './operations/open-store.ts';
export * from './operations/restore-plan.ts';
export * from './operations/snapshot-get.ts';
export * from './operations/snapshot-ls.ts';
export * from './operations/snapshot-status.ts';
export * from './operations/verify.ts';
