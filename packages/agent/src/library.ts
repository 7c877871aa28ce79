// The agent as a library, for the VS Code extension: the same operations the
// CLI's commands call (never a second implementation of verify or fetch), and
// what the extension reads of the agent's in-cluster status — without the
// CLI itself (its parser, help and output).
export * from './kubernetes/status.ts';
export * from './operations/fetch.ts';
export * from './operations/find-backup.ts';
export * from './operations/list.ts';
export { cronJobName } from './operations/manifests.ts';
export * from './operations/restore-plan.ts';
export * from './operations/snapshot-get.ts';
export * from './operations/snapshot-ls.ts';
export * from './operations/snapshot-status.ts';
export * from './operations/verify.ts';
