// Prints vitest's totals as one plain line ("N passed, N failed, N skipped") for CI logs, and exits
// non-zero when a test failed or none ran, so the line and the exit code never disagree.
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('.vitest/results.json', 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
process.exit(r.numFailedTests > 0 || r.numTotalTests === 0 || !r.success ? 1 : 0);
