/**
 * The local-chain tooling against a real anvil: the launcher, the scenario builder and its fixture
 * contracts, and the committed demo chain (fixtures/demo-chain.json) after --load-state.
 * Accounts in the scenario tests are anvil's own dev accounts, so no address is made up.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { id } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { DEMO_ADDRESSES, DEMO_CONTRACTS, DEMO_EXPECTED, DEMO_TRAILING_BLOCKS } from '../src/devchain/demo.js';
import { demoChainPath } from '../src/devchain/paths.js';
import { createScenario, toSeconds, type Scenario } from '../src/devchain/scenario.js';
import { HoptraceError } from '../src/errors.js';
import type { Address } from '../src/types.js';

const ETH = 10n ** 18n;
const TRANSFER = id('Transfer(address,address,uint256)');
const DEPOSIT = id('Deposit(address,uint256)');
const WITHDRAWAL = id('Withdrawal(address,uint256)');

interface Trace {
  action: { from?: string; to?: string; value?: string; callType?: string };
  traceAddress: number[];
  transactionHash: string;
  blockNumber: number;
  type: string;
}
interface Log {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
}

const hex = (n: number | bigint): string => '0x' + n.toString(16);
const topic = (a: Address): string => '0x' + a.slice(2).padStart(64, '0');

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

describe('startAnvil', () => {
  it('starts on a free port, answers JSON-RPC, and stop() leaves no process behind', async () => {
    const anvil = await startAnvil({ chainId: 4242 });
    const pid = anvil.process.pid!;
    expect(anvil.url).toBe(`http://127.0.0.1:${anvil.port}`);
    expect(await createScenario(anvil.url).rpc('eth_chainId')).toBe(hex(4242));
    expect(isGone(pid)).toBe(false);

    await anvil.stop();
    expect(anvil.process.exitCode !== null || anvil.process.signalCode !== null).toBe(true);
    expect(isGone(pid)).toBe(true);
    await expect(fetch(anvil.url, { method: 'POST' })).rejects.toThrow();
    await anvil.stop(); // twice is fine
  });

  it('two nodes get two ports', async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(await createScenario(b.url).rpc('eth_chainId')).toBe(hex(31337));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('says how to fix a missing binary, a missing state file and a bad flag', async () => {
    const missing = startAnvil({ binary: join(tmpdir(), 'no-such-dir', 'anvil') });
    await expect(missing).rejects.toBeInstanceOf(HoptraceError);
    await expect(missing).rejects.toThrow('the bundled chain needs the dev dependency @foundry-rs/anvil: run npm ci');
    await expect(startAnvil({ loadState: join(tmpdir(), 'no-such-state.json') })).rejects.toThrow(/does not exist/);
    await expect(startAnvil({ extraArgs: ['--no-such-flag'] })).rejects.toThrow(/anvil exited during start-up: .*--no-such-flag/);
  });

  it('writes --dump-state on stop, and a loaded state keeps blocks, logs and traces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-devchain-'));
    const file = join(dir, 'state.json');
    try {
      const first = await startAnvil({ dumpState: file });
      const s = createScenario(first.url);
      const [, alice, bob] = await s.rpc<Address[]>('eth_accounts');
      const sent = await s.sendEth(alice!, bob!, 3n * ETH);
      const token = await s.deploy('TestToken', ['Fixture', 'FIX', 6]);
      const minted = await s.mintToken(token.address, bob!, 1_000_000n);
      await first.stop();
      expect(existsSync(file)).toBe(true);

      const second = await startAnvil({ loadState: file });
      try {
        const r = createScenario(second.url);
        expect(await r.blockNumber()).toBe(minted.blockNumber);
        const traces = await r.rpc<Trace[]>('trace_block', [hex(sent.blockNumber)]);
        expect(traces).toHaveLength(1);
        expect(traces[0]!.action).toMatchObject({ from: alice, to: bob, value: hex(3n * ETH) });
        const logs = await r.rpc<Log[]>('eth_getLogs', [{ address: token.address, fromBlock: '0x0', toBlock: 'latest' }]);
        expect(logs).toHaveLength(1);
        expect(logs[0]!.transactionHash).toBe(minted.hash);
        expect(BigInt(logs[0]!.data)).toBe(1_000_000n);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createScenario on a fresh anvil', () => {
  let anvil: AnvilHandle;
  let s: Scenario;
  let deployer: Address;
  let alice: Address;
  let bob: Address;
  let carol: Address;

  beforeAll(async () => {
    anvil = await startAnvil({ genesisTimestamp: toSeconds('2025-02-20T00:00:00Z') });
    s = createScenario(anvil.url);
    const accounts = await s.rpc<Address[]>('eth_accounts');
    [deployer, alice, bob, carol] = accounts as [Address, Address, Address, Address];
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it('pins block timestamps and mines empty blocks', async () => {
    const tx = await s.sendEth(alice, bob, 1n, { at: '2025-02-21T14:13:35Z' });
    expect(tx.timestamp).toBe(toSeconds('2025-02-21T14:13:35Z'));
    expect(tx.blockNumber).toBe(await s.blockNumber());
    const head = await s.mine(5, 12);
    expect(head).toBe(tx.blockNumber + 5);
    const block = await s.rpc<{ timestamp: string }>('eth_getBlockByNumber', [hex(head), false]);
    expect(Number(block.timestamp)).toBe(tx.timestamp + 60);
    await expect(s.setNextTimestamp('2025-01-01T00:00:00Z')).rejects.toThrow(/timestamp/i);
  });

  it('impersonates any address, funded with anvil_setBalance', async () => {
    const forwarder = await s.deploy('Forwarder', [deployer]);
    // A contract address has no key: only impersonation can send from it.
    await s.fund(forwarder.address, 5n * ETH);
    const before = await s.balance(carol);
    await s.sendEth(forwarder.address, carol, 2n * ETH);
    expect((await s.balance(carol)) - before).toBe(2n * ETH);
  });

  it('Forwarder.forward produces an internal transfer visible in trace_filter', async () => {
    const forwarder = await s.deploy('Forwarder', [deployer]);
    const before = await s.balance(carol);
    const tx = await s.forward(forwarder.address, alice, carol, 7n * ETH);
    expect((await s.balance(carol)) - before).toBe(7n * ETH);
    expect(await s.balance(forwarder.address)).toBe(0n);

    const traces = await s.rpc<Trace[]>('trace_filter', [{ fromBlock: hex(tx.blockNumber), toBlock: hex(tx.blockNumber) }]);
    const top = traces.find((t) => t.traceAddress.length === 0);
    const inner = traces.find((t) => t.traceAddress.length > 0);
    expect(top?.action).toMatchObject({ from: alice, to: forwarder.address, value: hex(7n * ETH) });
    expect(inner?.traceAddress).toEqual([0]);
    expect(inner?.action).toMatchObject({ from: forwarder.address, to: carol, value: hex(7n * ETH), callType: 'call' });
    expect(inner?.transactionHash).toBe(tx.hash);
  });

  it('a plain send to the Forwarder goes on to its owner; split fans out', async () => {
    const forwarder = await s.deploy('Forwarder', [bob]);
    const plain = await s.sendEth(alice, forwarder.address, 3n * ETH);
    const plainTraces = await s.rpc<Trace[]>('trace_block', [hex(plain.blockNumber)]);
    expect(plainTraces.find((t) => t.traceAddress.length === 1)?.action).toMatchObject({
      from: forwarder.address,
      to: bob,
      value: hex(3n * ETH),
    });

    const split = await s.split(forwarder.address, alice, [bob, carol], [1n * ETH, 2n * ETH]);
    const splitTraces = await s.rpc<Trace[]>('trace_block', [hex(split.blockNumber)]);
    const inner = splitTraces.filter((t) => t.traceAddress.length === 1);
    expect(inner.map((t) => [t.traceAddress, t.action.to, t.action.value])).toEqual([
      [[0], bob, hex(1n * ETH)],
      [[1], carol, hex(2n * ETH)],
    ]);
    // Amounts that do not add up to msg.value revert, and the scenario says so.
    await expect(
      s.invoke('Forwarder', forwarder.address, alice, 'split', [[bob], [2n * ETH]], 1n * ETH),
    ).rejects.toBeInstanceOf(HoptraceError);
  });

  it('wrap emits Deposit, unwrap emits Withdrawal and sends ETH back as an internal transfer', async () => {
    const weth = await s.deploy('WrappedEther');
    expect(await s.read('WrappedEther', weth.address, 'symbol')).toBe('WETH');
    expect(await s.read('WrappedEther', weth.address, 'decimals')).toBe(18n);

    const wrap = await s.wrap(weth.address, alice, 4n * ETH);
    const deposits = await s.rpc<Log[]>('eth_getLogs', [
      { address: weth.address, fromBlock: hex(wrap.blockNumber), toBlock: hex(wrap.blockNumber), topics: [DEPOSIT] },
    ]);
    expect(deposits).toHaveLength(1);
    expect(deposits[0]!.topics[1]).toBe(topic(alice));
    expect(BigInt(deposits[0]!.data)).toBe(4n * ETH);
    expect(await s.read('WrappedEther', weth.address, 'balanceOf', [alice])).toBe(4n * ETH);

    const unwrap = await s.unwrap(weth.address, alice, 1n * ETH);
    const withdrawals = await s.rpc<Log[]>('eth_getLogs', [
      { address: weth.address, fromBlock: hex(unwrap.blockNumber), toBlock: hex(unwrap.blockNumber), topics: [WITHDRAWAL] },
    ]);
    expect(withdrawals).toHaveLength(1);
    expect(withdrawals[0]!.topics[1]).toBe(topic(alice));
    expect(BigInt(withdrawals[0]!.data)).toBe(1n * ETH);
    const traces = await s.rpc<Trace[]>('trace_block', [hex(unwrap.blockNumber)]);
    expect(traces.find((t) => t.traceAddress.length === 1)?.action).toMatchObject({
      from: weth.address,
      to: alice,
      value: hex(1n * ETH),
    });
    expect(await s.read('WrappedEther', weth.address, 'totalSupply')).toBe(3n * ETH);
  });

  it('tokens: mint and transfer emit Transfer; zero-value transfers pass; overdrafts throw', async () => {
    const token = await s.deploy('TestToken', ['Fixture Dollar', 'FXD', 6]);
    expect(await s.read('TestToken', token.address, 'decimals')).toBe(6n);
    const mint = await s.mintToken(token.address, alice, 500_000_000n);
    const sent = await s.tokenTransfer(token.address, alice, bob, 120_000_000n);
    const zero = await s.tokenTransfer(token.address, carol, bob, 0n);
    const logs = await s.rpc<Log[]>('eth_getLogs', [
      { address: token.address, fromBlock: hex(mint.blockNumber), toBlock: hex(zero.blockNumber), topics: [TRANSFER] },
    ]);
    expect(logs.map((l) => [l.transactionHash, l.topics[1], l.topics[2], BigInt(l.data)])).toEqual([
      [mint.hash, topic('0x0000000000000000000000000000000000000000'), topic(alice), 500_000_000n],
      [sent.hash, topic(alice), topic(bob), 120_000_000n],
      [zero.hash, topic(carol), topic(bob), 0n],
    ]);
    await expect(s.tokenTransfer(token.address, bob, carol, 10n ** 12n)).rejects.toBeInstanceOf(HoptraceError);
    // Only the deployer may mint.
    await expect(s.invoke('TestToken', token.address, alice, 'mint', [alice, 1n])).rejects.toThrow(/mint/);
  });

  it('poison emits a zero Transfer "from" the victim without the victim signing or paying', async () => {
    const token = await s.deploy('TestToken', ['Fixture Dollar', 'FXD', 6]);
    await s.mintToken(token.address, alice, 1_000n);
    const victimBalance = await s.balance(alice);
    const tx = await s.poison(token.address, alice, carol, { sender: bob });
    const logs = await s.rpc<Log[]>('eth_getLogs', [
      { address: token.address, fromBlock: hex(tx.blockNumber), toBlock: hex(tx.blockNumber) },
    ]);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.topics).toEqual([TRANSFER, topic(alice), topic(carol)]);
    expect(BigInt(logs[0]!.data)).toBe(0n);
    const txObj = await s.rpc<{ from: string }>('eth_getTransactionByHash', [tx.hash]);
    expect(txObj.from).toBe(bob);
    expect(await s.balance(alice)).toBe(victimBalance);
    expect(await s.read('TestToken', token.address, 'balanceOf', [alice])).toBe(1_000n);
  });
});

describe('the demo chain (fixtures/demo-chain.json)', () => {
  let anvil: AnvilHandle;
  let s: Scenario;
  let head: number;
  const A = DEMO_ADDRESSES;

  beforeAll(async () => {
    anvil = await startAnvil({ loadState: demoChainPath() });
    s = createScenario(anvil.url);
    head = await s.blockNumber();
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  const traceFilter = (filter: Record<string, unknown>): Promise<Trace[]> =>
    // anvil caps trace_filter at 300 blocks and wants hex numbers, not tags.
    s.rpc<Trace[]>('trace_filter', [{ fromBlock: '0x0', toBlock: hex(Math.min(head, 300)), ...filter }]);

  it('is small, on chain 31337, and its story lies below the finalized block', async () => {
    expect(statSync(demoChainPath()).size).toBeLessThan(5 * 1024 * 1024);
    expect(await s.rpc('eth_chainId')).toBe(hex(DEMO_EXPECTED.chainId));
    expect(head).toBeGreaterThan(DEMO_TRAILING_BLOCKS + 10);
    const [venueHop] = await traceFilter({ toAddress: [DEMO_EXPECTED.venue.address] });
    const finalized = await s.rpc<{ number: string }>('eth_getBlockByNumber', ['finalized', false]);
    expect(Number(finalized.number)).toBe(head - 64);
    expect(Number(finalized.number)).toBeGreaterThanOrEqual(venueHop!.blockNumber);
  });

  it('answers trace_filter for old blocks: the seed reaches THORChain in 5 native hops', async () => {
    const path = DEMO_EXPECTED.path;
    expect(path).toHaveLength(DEMO_EXPECTED.hops + 1);
    let lastBlock = 0;
    for (let i = 0; i + 1 < path.length; i++) {
      // anvil (like Erigon and Reth) ORs fromAddress and toAddress unless mode is 'intersection'.
      const hop = await traceFilter({ fromAddress: [path[i]], toAddress: [path[i + 1]], mode: 'intersection' });
      const moves = hop.filter((t) => t.traceAddress.length === 0 && BigInt(t.action.value ?? '0x0') > 0n);
      expect(moves, `hop ${i + 1}: ${path[i]} → ${path[i + 1]}`).toHaveLength(1);
      // Each hop happens after the one before: a time-ordered walk follows the same path.
      expect(moves[0]!.blockNumber).toBeGreaterThan(lastBlock);
      lastBlock = moves[0]!.blockNumber;
    }
    const [venueHop] = await traceFilter({ toAddress: [DEMO_EXPECTED.venue.address] });
    expect(BigInt(venueHop!.action.value!)).toBe(DEMO_EXPECTED.venueAmount);
    const block = await s.rpc<{ timestamp: string }>('eth_getBlockByNumber', [hex(venueHop!.blockNumber), false]);
    expect(Number(block.timestamp)).toBe(toSeconds('2025-02-25T01:30:11Z'));
    const blockTraces = await s.rpc<Trace[]>('trace_block', [hex(venueHop!.blockNumber)]);
    expect(blockTraces.map((t) => t.action.to)).toEqual([DEMO_EXPECTED.venue.address]);
  });

  it('holds the internal transfer through the Forwarder (to d508be16)', async () => {
    const [inner, ...rest] = await traceFilter({ toAddress: [A.ethd508] });
    expect(rest).toHaveLength(0);
    expect(inner!.traceAddress).toEqual([0]);
    expect(BigInt(inner!.action.value!)).toBe(54_706_180_270_412_000n);
    const outer = (await s.rpc<Trace[]>('trace_transaction', [inner!.transactionHash])).find((t) => t.traceAddress.length === 0);
    expect(outer?.action.from).toBe(A.ethb21e);
    expect(outer?.action.to).toBe(inner!.action.from);
  });

  it('answers eth_getLogs for old blocks: token leg, WETH wrap and the zero-value poisoning log', async () => {
    const fromSeed = await s.rpc<Log[]>('eth_getLogs', [
      { fromBlock: '0x0', toBlock: 'latest', topics: [TRANSFER, topic(A.eth7f1d)] },
    ]);
    const byTarget = new Map(fromSeed.map((l) => ['0x' + l.topics[2]!.slice(26), BigInt(l.data)]));
    expect(byTarget.get(A.cpd852)).toBe(547_168_413_925n); // 547,168.413925 USDT stand-in (6 decimals)
    expect(byTarget.get(A.lookalikef585)).toBe(0n); // forged, zero value
    const token = fromSeed[0]!.address;
    expect(token).toBe(DEMO_CONTRACTS.usdt);
    expect(await s.read('TestToken', token, 'symbol')).toBe('USDT');
    expect(await s.read('TestToken', token, 'decimals')).toBe(6n);

    const deposits = await s.rpc<Log[]>('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', topics: [DEPOSIT, topic(A.fbifc92)] }]);
    expect(deposits).toHaveLength(1);
    expect(BigInt(deposits[0]!.data)).toBe(204_235_071_484_957_930_000n);
  });

  it('sends no value to the poisoning look-alike', async () => {
    for (const a of DEMO_EXPECTED.notReached) {
      expect(await traceFilter({ toAddress: [a] })).toHaveLength(0);
      expect(await s.balance(a)).toBe(0n);
    }
  });
});
