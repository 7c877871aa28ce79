#!/usr/bin/env node
// The `lifeboat` executable; everything it does lives in runCli.
import { processIo } from './io.ts';
import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2), processIo());
