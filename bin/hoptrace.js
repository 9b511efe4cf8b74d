#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Exit once the command is done: a request abandoned after a timeout may still hold a socket open.
// Not before stdout and stderr are written out, though: to a pipe they are written asynchronously, and
// exiting at once cuts a long report (a --json trace, labels export --all) short.
main(process.argv).then(() => {
  let open = 2;
  const flushed = () => {
    if (--open === 0) process.exit();
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
});
