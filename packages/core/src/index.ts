export * from './errors.ts';
export * from './naming.ts';
export * from './store-url.ts';
