import { randomBytes } from 'node:crypto';
import { AbiCoder, solidityPacked } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  acrossLinkKey,
  decodeBridgeLog,
  decodeBridgeLogs,
  loadBridgeRegistry,
  parseBridgeRegistry,
  thorchainLinkKey,
  wormholeLinkKey,
  type RawLog,
} from '../src/bridges/index.js';
import { wormholeEvmEntries } from '../src/bridges/chains.js';
import { eventNamed, EVENTS_BY_TOPIC } from '../src/bridges/events.js';
import { labelChainForChainId } from '../src/labels/chains.js';
import { addr, arrivalOf, bridgeLog, exitOf, hash, pad, ZERO } from './helpers/bridgeLogs.js';

const coder = AbiCoder.defaultAbiCoder();
const log = bridgeLog;

describe('THORChain router', () => {
  it('Deposit with a swap memo is an exit to the memo chain, linked by its own tx hash', () => {
    const vault = addr();
    const to = addr();
    const l = log('Deposit', [vault, ZERO, 10n ** 18n, `=:ETH.ETH:${to}:5e7`]);
    const e = exitOf(decodeBridgeLog(l, { chainId: 56 }));
    expect(e.protocol).toBe('thorchain');
    expect(e.source).toEqual({ chainId: 56, txHash: l.transactionHash, logIndex: 3, blockNumber: 100, contract: l.address });
    expect(e.paid).toEqual({ asset: { kind: 'native', chainId: 56 }, amount: 10n ** 18n });
    expect(e.destination).toEqual({ kind: 'evm', chainId: 1 });
    expect(e.recipient).toEqual({ kind: 'evm', address: to });
    expect(e.promised).toMatchObject({ amount: 50_000_000n, amountKind: 'minimum', asset: { notation: 'ETH.ETH' } });
    expect(e.link).toEqual({ kind: 'exact', key: thorchainLinkKey(l.transactionHash), txHash: l.transactionHash.slice(2).toUpperCase() });
    expect(e.memo?.kind).toBe('swap');
  });

  it('a swap to Bitcoin leaves the EVM: a named chain and an external recipient', () => {
    const token = addr();
    const e = exitOf(decodeBridgeLog(log('Deposit', [addr(), token, 5n, '=:b:bc1qexampleexampleexampleexample0']), { chainId: 1 }));
    expect(e.destination).toEqual({ kind: 'named', protocolCode: 'BTC', name: 'Bitcoin' });
    expect(e.recipient).toEqual({ kind: 'external', text: 'bc1qexampleexampleexampleexample0' });
    expect(e.paid?.asset).toEqual({ kind: 'token', chainId: 1, address: token });
    expect(e.promised.amountKind).toBe('none');
  });

  it('a memo with control characters or of 10,000 characters is still an exit, with the memo unknown', () => {
    for (const memo of ['=:b:bc1\u0000q', `=:b:${'q'.repeat(9_996)}`]) {
      const e = exitOf(decodeBridgeLog(log('Deposit', [addr(), ZERO, 1n, memo]), { chainId: 1 }));
      expect(e.memo).toMatchObject({ kind: 'unknown', memo });
      expect(e.destination.kind).toBe('unknown');
      expect(e.recipient.kind).toBe('unknown');
      expect(e.link.kind).toBe('exact');
      expect(e.caveats.join(' ')).toContain('REFUND');
    }
  });

  it('memo bytes that are not UTF-8 are an unknown memo kept as hex, not a failed log', () => {
    const ev = eventNamed('Deposit');
    const topics = [ev.topic0, pad(addr()), pad(ZERO)];
    const data = coder.encode(['uint256', 'bytes'], [7n, '0xff3a3a']);
    const e = exitOf(decodeBridgeLog({ address: addr(), topics, data, transactionHash: hash(), logIndex: 0, blockNumber: 1 }, { chainId: 1 }));
    expect(e.memo).toEqual({ kind: 'unknown', memo: '0xff3a3a', reason: expect.stringContaining('UTF-8') });
  });

  it('TransferOut with OUT:<hash> is an arrival carrying the same link key as the deposit', () => {
    const inbound = hash();
    const to = addr();
    const a = arrivalOf(decodeBridgeLog(log('TransferOut', [addr(), to, ZERO, 42n, `OUT:${inbound.slice(2).toUpperCase()}`]), { chainId: 1 }));
    expect(a).toMatchObject({ recipient: to, amount: 42n, amountKind: 'exact', refund: false, asset: { kind: 'native', chainId: 1 } });
    expect(a.link).toMatchObject({ kind: 'exact', key: thorchainLinkKey(inbound) });
    expect(a.caveats.join(' ')).toContain('goes back to the vault');
    const token = addr();
    expect(arrivalOf(decodeBridgeLog(log('TransferOut', [addr(), to, token, 5n, `OUT:${inbound.slice(2)}`]), { chainId: 1 })).caveats).toEqual([]);
    const r = arrivalOf(decodeBridgeLog(log('TransferOut', [addr(), to, ZERO, 1n, `REFUND:${inbound.slice(2)}`]), { chainId: 1 }));
    expect(r.refund).toBe(true);
    expect(r.link).toMatchObject({ key: thorchainLinkKey(inbound) });
  });

  it('TransferOut with a vault memo (MIGRATE) or no link is ignored with the reason', () => {
    expect(decodeBridgeLog(log('TransferOut', [addr(), addr(), ZERO, 1n, 'MIGRATE:3494355']), { chainId: 1 })).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('migrate') });
    expect(decodeBridgeLog(log('TransferOut', [addr(), addr(), ZERO, 1n, 'OUT:nothex']), { chainId: 1 })).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('not a transaction hash') });
  });

  it('TransferOutAndCall promises the aggregator floor in the final asset', () => {
    const inbound = hash();
    const finalAsset = addr();
    const to = addr();
    const a = arrivalOf(decodeBridgeLog(log('TransferOutAndCall', [addr(), addr(), 9n, finalAsset, to, 7n, `OUT:${inbound.slice(2)}`]), { chainId: 1 }));
    expect(a).toMatchObject({ recipient: to, amount: 7n, amountKind: 'minimum', asset: { kind: 'token', address: finalAsset } });
  });
});

describe('malformed logs: one clear reason, never a throw', () => {
  const good = (): RawLog => log('Deposit', [addr(), ZERO, 1n, '=:e:0x0000000000000000000000000000000000000001']);
  const cases: Array<[string, (l: RawLog) => RawLog, string]> = [
    ['a missing topic', (l) => ({ ...l, topics: l.topics.slice(0, 2) }), '2 topics, the event has 3'],
    ['an extra topic', (l) => ({ ...l, topics: [...l.topics, hash()] }), '4 topics'],
    ['truncated data', (l) => ({ ...l, data: l.data.slice(0, 70) }), 'does not decode'],
    ['odd-length data', (l) => ({ ...l, data: `${l.data}0` }), 'not hex'],
    ['trailing junk', (l) => ({ ...l, data: `${l.data}${'00'.repeat(32)}` }), 'canonical'],
    ['an address topic with dirty upper bytes', (l) => ({ ...l, topics: [l.topics[0] as string, `0xff${(l.topics[1] as string).slice(4)}`, l.topics[2] as string] }), 'topic 1 is not an address'],
    ['a short topic', (l) => ({ ...l, topics: [l.topics[0] as string, '0x1234', l.topics[2] as string] }), 'not 32 bytes'],
    ['a bad emitter', (l) => ({ ...l, address: 'nope' }), 'emitter'],
    ['a negative log index', (l) => ({ ...l, logIndex: -1 }), 'log index'],
  ];
  for (const [what, mutate, reason] of cases) {
    it(`${what} → malformed (${reason})`, () => {
      const d = decodeBridgeLog(mutate(good()), { chainId: 1 });
      expect(d).toMatchObject({ kind: 'malformed', protocol: 'thorchain', event: 'Deposit' });
      expect(d.kind === 'malformed' && d.reason).toContain(reason);
    });
  }

  it('a huge memo offset in the data is refused, not followed', () => {
    const l = good();
    const data = `0x${'00'.repeat(31)}01${'ff'.repeat(32)}`;
    expect(decodeBridgeLog({ ...l, data }, { chainId: 1 }).kind).toBe('malformed');
  });

  it('foreign and shapeless input is not ours', () => {
    expect(decodeBridgeLog(log('Deposit', [addr(), ZERO, 1n, 'x']), { chainId: 1 }).kind).not.toBe('not-ours');
    expect(decodeBridgeLog({ ...good(), topics: [hash()] }, { chainId: 1 })).toEqual({ kind: 'not-ours' });
    expect(decodeBridgeLog({ ...good(), topics: [] }, { chainId: 1 })).toEqual({ kind: 'not-ours' });
    expect(decodeBridgeLog(null as unknown as RawLog, { chainId: 1 })).toEqual({ kind: 'not-ours' });
    expect(decodeBridgeLog({ topics: 'x' } as unknown as RawLog, { chainId: 1 })).toEqual({ kind: 'not-ours' });
  });

  it('random topics and data for every known event never throw', () => {
    for (const ev of EVENTS_BY_TOPIC.values()) {
      for (let i = 0; i < 40; i++) {
        const topics = [ev.topic0, ...Array.from({ length: i % 5 }, () => (i % 3 === 0 ? pad(addr()) : hash()))];
        const data = `0x${randomBytes((i * 37) % 700).toString('hex')}`;
        const d = decodeBridgeLog({ address: addr(), topics, data, transactionHash: hash(), logIndex: i, blockNumber: i }, { chainId: 1 });
        expect(['malformed', 'ignored', 'exit', 'arrival']).toContain(d.kind);
      }
    }
  });
});

describe('Across SpokePool', () => {
  it('FundsDeposited and FilledRelay share (origin chain, deposit id)', () => {
    const depositor = addr();
    const recipient = addr();
    const inTok = addr();
    const outTok = addr();
    const dep = exitOf(decodeBridgeLog(log('FundsDeposited', [pad(inTok), pad(outTok), 1000n, 990n, 8453n, 77n, 1, 2000, 0, pad(depositor), pad(recipient), pad(ZERO), '0x']), { chainId: 10 }));
    expect(dep).toMatchObject({
      sender: depositor, destination: { kind: 'evm', chainId: 8453 }, recipient: { kind: 'evm', address: recipient },
      paid: { asset: { kind: 'token', chainId: 10, address: inTok }, amount: 1000n },
      promised: { asset: { kind: 'token', chainId: 8453, address: outTok }, amount: 990n, amountKind: 'exact' },
      deadline: 2000,
    });
    expect(dep.link).toMatchObject({ kind: 'id', key: acrossLinkKey(10, 77) });
    const fill = arrivalOf(decodeBridgeLog(log('FilledRelay', [pad(inTok), pad(outTok), 1000n, 990n, 10n, 10n, 77n, 2000, 0, pad(ZERO), pad(addr()), pad(depositor), pad(recipient), hash(), [pad(recipient), hash(), 990n, 0]]), { chainId: 8453 }));
    expect(fill).toMatchObject({ recipient, amount: 990n, origin: { kind: 'evm', chainId: 10 }, originSender: depositor, asset: { kind: 'token', chainId: 8453, address: outTok } });
    expect(fill.link).toEqual(dep.link);
    expect(fill.caveats).toEqual([]);
  });

  it('a speed-up pays the updated recipient and amount, and says so', () => {
    const newTo = addr();
    const fill = arrivalOf(decodeBridgeLog(log('FilledRelay', [pad(addr()), pad(addr()), 5n, 5n, 1n, 1n, 2n, 0, 0, pad(ZERO), pad(addr()), pad(addr()), pad(addr()), hash(), [pad(newTo), hash(), 4n, 2]]), { chainId: 10 }));
    expect(fill.recipient).toBe(newTo);
    expect(fill.amount).toBe(4n);
    expect(fill.caveats.join(' ')).toMatch(/speed-up.*slow fill/s);
  });

  it('a non-EVM recipient stays 32 bytes; a zero output token promises no asset', () => {
    const key = `0x${'ab'.repeat(32)}`;
    const e = exitOf(decodeBridgeLog(log('FundsDeposited', [pad(addr()), `0x${'0'.repeat(64)}`, 1n, 1n, 34268394551451n, 5n, 0, 0, 0, pad(addr()), key, pad(ZERO), '0x01']), { chainId: 1 }));
    expect(e.recipient).toEqual({ kind: 'external', text: key });
    expect(e.promised.asset).toBeNull();
    expect(e.caveats.join(' ')).toMatch(/non-EVM.*outputToken is zero.*message/s);
  });

  it('the V3 events of before 2025-02 (address fields, uint32 id) give the same shapes', () => {
    const depositor = addr();
    const recipient = addr();
    const dep = exitOf(decodeBridgeLog(log('V3FundsDeposited', [addr(), addr(), 3n, 2n, 42161n, 9, 0, 0, 0, depositor, recipient, ZERO, '0x']), { chainId: 1 }));
    expect(dep).toMatchObject({ sender: depositor, recipient: { kind: 'evm', address: recipient }, destination: { kind: 'evm', chainId: 42161 } });
    const fill = arrivalOf(decodeBridgeLog(log('FilledV3Relay', [addr(), addr(), 3n, 2n, 1n, 1n, 9, 0, 0, ZERO, addr(), depositor, recipient, '0x', [recipient, '0x', 2n, 0]]), { chainId: 42161 }));
    expect(fill.link).toEqual(dep.link);
    expect(fill.recipient).toBe(recipient);
  });
});

describe('Wormhole token bridge', () => {
  const tokenBridge = addr();
  const transfer = (to: string, toChain: number, amount: bigint, fee: bigint, id = 1): string =>
    solidityPacked(['uint8', 'uint256', 'bytes32', 'uint16', 'bytes32', 'uint16', 'uint256'], [id, amount, pad(addr()), 2, to, toChain, fee]);

  it('a transfer message is an exit keyed by (emitter chain, emitter, sequence), and TransferRedeemed carries the key', () => {
    const to = addr();
    const l = log('LogMessagePublished', [tokenBridge, 12n, 0, transfer(pad(to), 30, 5_000n, 0n), 1]);
    const e = exitOf(decodeBridgeLog(l, { chainId: 1, wormholeTokenBridges: new Set([tokenBridge]) }));
    expect(e).toMatchObject({ destination: { kind: 'evm', chainId: 8453 }, recipient: { kind: 'evm', address: to }, promised: { amount: 5_000n, amountKind: 'normalized-8', asset: { kind: 'wormhole', tokenChain: 2 } } });
    expect(e.link).toMatchObject({ kind: 'id', key: wormholeLinkKey(2, pad(tokenBridge), 12n) });
    const a = arrivalOf(decodeBridgeLog(log('TransferRedeemed', [2, pad(tokenBridge), 12n]), { chainId: 8453 }));
    expect(a.link).toEqual(e.link);
    expect(a.origin).toEqual({ kind: 'evm', chainId: 1 });
    expect(a.recipient).toBeNull();
  });

  it('to Solana the 32-byte recipient stays a key; a relayer fee lowers the promise', () => {
    const key = `0x${'cd'.repeat(32)}`;
    const e = exitOf(decodeBridgeLog(log('LogMessagePublished', [tokenBridge, 1n, 0, transfer(key, 1, 100n, 3n), 1]), { chainId: 1, wormholeTokenBridges: new Set([tokenBridge]) }));
    expect(e.destination).toEqual({ kind: 'named', protocolCode: '1', name: 'solana' });
    expect(e.recipient).toEqual({ kind: 'external', text: key });
    expect(e.promised.amount).toBe(97n);
  });

  it('a message from another sender, an attestation or a bad length is not taken for a transfer', () => {
    const ctx = { chainId: 1, wormholeTokenBridges: new Set([tokenBridge]) };
    expect(decodeBridgeLog(log('LogMessagePublished', [addr(), 1n, 0, transfer(pad(addr()), 2, 1n, 0n), 1]), ctx)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('not a known token bridge') });
    expect(decodeBridgeLog(log('LogMessagePublished', [tokenBridge, 1n, 0, '0x02aa', 1]), ctx)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('payload id 2') });
    expect(decodeBridgeLog(log('LogMessagePublished', [tokenBridge, 1n, 0, `${transfer(pad(addr()), 2, 1n, 0n)}00`, 1]), ctx)).toMatchObject({ kind: 'malformed' });
    expect(decodeBridgeLog(log('LogMessagePublished', [tokenBridge, 1n, 0, transfer(pad(addr()), 2, 1n, 2n), 1]), ctx)).toMatchObject({ kind: 'malformed', reason: expect.stringContaining('fee') });
    const unchecked = exitOf(decodeBridgeLog(log('LogMessagePublished', [addr(), 1n, 0, transfer(pad(addr()), 2, 1n, 0n), 1]), { chainId: 1 }));
    expect(unchecked.caveats.join(' ')).toContain('not checked');
  });

  it("our Wormhole table's EVM chain ids agree with hoptrace's label chains", () => {
    for (const [, name, chainId] of wormholeEvmEntries()) expect(labelChainForChainId(chainId)).toBe(name);
  });
});

describe('OP Stack standard bridge', () => {
  it('the legacy L1 event beside the universal one counts once', () => {
    const from = addr();
    const bridge = addr();
    const tx = hash();
    const logs = [
      log('ETHDepositInitiated', [from, from, 7n, '0x'], { address: bridge, transactionHash: tx, logIndex: 0 }),
      log('ETHBridgeInitiated', [from, from, 7n, '0x'], { address: bridge, transactionHash: tx, logIndex: 1 }),
    ];
    const ctx = { chainId: 1, remoteChainOf: (c: string) => (c === bridge ? 10 : undefined) };
    const out = decodeBridgeLogs(logs, ctx);
    expect(out[0]).toMatchObject({ kind: 'ignored', event: 'ETHDepositInitiated', reason: expect.stringContaining('legacy twin') });
    const e = exitOf(out[1]);
    expect(e).toMatchObject({ event: 'ETHBridgeInitiated', sender: from, recipient: { kind: 'evm', address: from }, destination: { kind: 'evm', chainId: 10 }, promised: { asset: { kind: 'native', chainId: 10 }, amount: 7n }, link: { kind: 'none' } });
    // Before Bedrock only the legacy event existed: alone, it is kept.
    expect(exitOf(decodeBridgeLogs([logs[0] as RawLog], ctx)[0]).event).toBe('ETHDepositInitiated');
  });

  it('an ERC-20 bridge promises the remote token; without a registry row the destination is unknown', () => {
    const [l1, l2, from, to] = [addr(), addr(), addr(), addr()];
    const e = exitOf(decodeBridgeLog(log('ERC20BridgeInitiated', [l1, l2, from, to, 5n, '0x']), { chainId: 1, remoteChainOf: () => 8453 }));
    expect(e.promised.asset).toEqual({ kind: 'token', chainId: 8453, address: l2 });
    expect(e.caveats.join(' ')).toContain('recipient differs');
    const u = exitOf(decodeBridgeLog(log('ERC20BridgeInitiated', [l1, l2, from, to, 5n, '0x']), { chainId: 1 }));
    expect(u.destination.kind).toBe('unknown');
    const a = arrivalOf(decodeBridgeLog(log('ERC20BridgeFinalized', [l2, l1, from, to, 5n, '0x']), { chainId: 8453, remoteChainOf: () => 1 }));
    expect(a).toMatchObject({ recipient: to, originSender: from, asset: { kind: 'token', chainId: 8453, address: l2 }, origin: { kind: 'evm', chainId: 1 } });
  });
});

describe('data/bridges.csv', () => {
  const reg = loadBridgeRegistry();

  it('every row has a commit-pinned source and a protocol we decode', () => {
    expect(reg.rows.length).toBeGreaterThan(0);
    for (const r of reg.rows) expect(r.source).toMatch(/https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\//);
    const protocols = new Set(reg.rows.map((r) => r.protocol));
    expect([...protocols].sort()).toEqual(['across', 'op-standard-bridge', 'thorchain', 'wormhole']);
  });

  it('feeds the decoders: remote chain of a rollup bridge, Wormhole token bridges per chain', () => {
    const l1Bridges = reg.rows.filter((r) => r.role === 'l1-standard-bridge');
    for (const r of l1Bridges) expect(reg.contextFor(1).remoteChainOf?.(r.address)).toBe(r.remoteChainId);
    const ethTokenBridges = reg.contextFor(1).wormholeTokenBridges;
    expect(ethTokenBridges?.size).toBe(1);
    expect([...(ethTokenBridges ?? [])].every((a) => reg.find(1, a)?.role === 'token-bridge')).toBe(true);
    expect(reg.find(1, reg.rows[0]?.address.toUpperCase().replace('0X', '0x') ?? '')).toBe(reg.rows[0]);
  });
});

describe('decoding through the registry', () => {
  const [router, pool, core, tokenBridge, l1Bridge] = [addr(), addr(), addr(), addr(), addr()];
  const row = (line: number, chain_id: string, address: string, protocol: string, role: string, remote_chain_id = '') => ({
    line,
    row: { chain_id, address, protocol, role, remote_chain_id, source: 'test fixture' },
  });
  const reg = parseBridgeRegistry([
    row(2, '1', router, 'thorchain', 'router'),
    row(3, '1', pool, 'across', 'spoke-pool'),
    row(4, '1', core, 'wormhole', 'core'),
    row(5, '1', tokenBridge, 'wormhole', 'token-bridge'),
    row(6, '1', l1Bridge, 'op-standard-bridge', 'l1-standard-bridge', '10'),
  ]);

  it('decodes only what a listed contract of the event\'s protocol and role emitted, one answer per log', () => {
    const inbound = hash();
    const out = (address: string) => log('TransferOut', [addr(), addr(), ZERO, 1n, `OUT:${inbound.slice(2)}`], { address });
    const payload = solidityPacked(['uint8', 'uint256', 'bytes32', 'uint16', 'bytes32', 'uint16', 'uint256'], [1, 5n, pad(addr()), 2, pad(addr()), 30, 0n]);
    const msg = (address: string, sender: string) => log('LogMessagePublished', [sender, 0n, 0, payload, 1], { address });
    const logs = [
      out(router), // the router: an arrival
      out(addr()), // a look-alike contract: not ours
      out(pool), // THORChain's event from an Across pool: not ours
      msg(core, tokenBridge), // the core, sender the token bridge: an exit
      msg(tokenBridge, tokenBridge), // the token bridge cannot publish: not ours
      msg(core, addr()), // the core, another sender: ignored
      log('ETHBridgeInitiated', [addr(), addr(), 3n, '0x'], { address: l1Bridge }),
    ];
    const d = reg.decode(1, logs);
    expect(d.map((x) => x.kind)).toEqual(['arrival', 'not-ours', 'not-ours', 'exit', 'not-ours', 'ignored', 'exit']);
    expect(exitOf(d[6]).destination).toEqual({ kind: 'evm', chainId: 10 });
    expect(reg.decode(56, [out(router)])[0]).toEqual({ kind: 'not-ours' });
  });

  it('refuses a bad row with its line', () => {
    expect(() => parseBridgeRegistry([row(7, '1', 'nope', 'across', 'spoke-pool')])).toThrow(/:7: address "nope"/);
    expect(() => parseBridgeRegistry([row(8, '1', addr(), 'hop', 'bridge')])).toThrow(/:8: protocol "hop"/);
    expect(() => parseBridgeRegistry([row(9, '1', addr(), 'across', 'router')])).toThrow(/:9: role "router"/);
    expect(() => parseBridgeRegistry([row(10, '1', addr(), 'op-standard-bridge', 'l1-standard-bridge')])).toThrow(/remote_chain_id/);
    const a = addr();
    expect(() => parseBridgeRegistry([row(2, '1', a, 'across', 'spoke-pool'), row(3, '1', a, 'across', 'spoke-pool')])).toThrow(/:3: .* twice/);
  });
});
