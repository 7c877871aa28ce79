export * from './shell.ts';
export * from './validate.ts';
