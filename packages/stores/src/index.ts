export * from './key.ts';
export * from './local.ts';
export * from './open.ts';
export * from './store.ts';
export * from './catalog.ts';
export * from './retention.ts';
