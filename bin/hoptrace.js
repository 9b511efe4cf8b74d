#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Exit once the command is done: a request abandoned after a timeout may still hold a socket open.
main(process.argv).then(() => process.exit());
