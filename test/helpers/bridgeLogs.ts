/** Bridge logs built with ethers' encoder from the events' own fragments, for the pure bridge tests. */
import { randomBytes } from 'node:crypto';
import { zeroPadValue } from 'ethers';
import { eventNamed } from '../../src/bridges/events.js';
import type { BridgeArrival, BridgeExit, DecodedBridgeLog, RawLog } from '../../src/bridges/index.js';

/** A fresh random 20-byte address (no key behind it: these logs are built, not sent). */
export const addr = (): string => `0x${randomBytes(20).toString('hex')}`;
export const hash = (): string => `0x${randomBytes(32).toString('hex')}`;
export const pad = (a: string): string => zeroPadValue(a, 32).toLowerCase();
export const ZERO = '0x0000000000000000000000000000000000000000';

/** A log of `name` with `values`; position fields can be overridden. */
export function bridgeLog(name: string, values: unknown[], over: Partial<RawLog> = {}): RawLog {
  const ev = eventNamed(name);
  const { data, topics } = ev.iface.encodeEventLog(ev.fragment, values);
  return { address: over.address ?? addr(), topics, data, transactionHash: hash(), logIndex: 3, blockNumber: 100, ...over };
}

export function exitOf(d: DecodedBridgeLog | undefined): BridgeExit {
  if (d?.kind !== 'exit') throw new Error(`expected an exit, got ${d?.kind}${d && 'reason' in d ? `: ${d.reason}` : ''}`);
  return d.exit;
}

export function arrivalOf(d: DecodedBridgeLog | undefined): BridgeArrival {
  if (d?.kind !== 'arrival') throw new Error(`expected an arrival, got ${d?.kind}${d && 'reason' in d ? `: ${d.reason}` : ''}`);
  return d.arrival;
}
