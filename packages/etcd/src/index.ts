export * from './discovery.ts';
export * from './manifest.ts';
