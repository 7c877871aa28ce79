export * from './duration.ts';
export * from './errors.ts';
export * from './file-sink.ts';
export * from './metadata.ts';
export * from './naming.ts';
export * from './store-url.ts';
export * from './with-timeout.ts';
