/**
 * Bridge crossings between two real anvil nodes with different chain ids. Fixture contracts
 * (fixtures/contracts/bridges) emit the protocols' exact event signatures; the test reads every log of
 * each chain back over JSON-RPC (eth_getLogs), decodes those of the registry's contracts (a registry
 * built like data/bridges.csv from the deployed fixtures; a look-alike router outside it is not read)
 * into exits and arrivals, and matches them across the chains:
 * THORChain by the OUT: memo (exact), Across by origin chain + deposit id, Wormhole by emitter + sequence,
 * the OP Stack bridge by recipient + asset + amount in a window (an inference), and a swap to Bitcoin
 * that leaves the EVM. Accounts are anvil's own dev accounts: no address is made up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractFactory, JsonRpcProvider, zeroPadValue, type Contract, type JsonRpcSigner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matchBridgeCrossings,
  parseBridgeRegistry,
  type BridgeArrival,
  type BridgeExit,
  type BridgeRegistry,
  type RawLog,
  type Timed,
} from '../src/bridges/index.js';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { packageRoot } from '../src/util/package.js';

const ETH = 10n ** 18n;
/** THORChain's chain codes ETH and BSC map to these ids (thornode token lists), so memos name them. */
const CHAIN_A = 1;
const CHAIN_B = 56;

interface Artifact {
  abi: unknown[];
  bytecode: string;
}
const artifacts = JSON.parse(readFileSync(join(packageRoot(), 'fixtures/contracts/bridges/artifacts.json'), 'utf8')) as Record<string, Artifact>;

interface Side {
  anvil: AnvilHandle;
  provider: JsonRpcProvider;
  signers: JsonRpcSigner[];
  contracts: Record<string, Contract>;
}

/** Every anvil started here, stopped in afterAll even when a set-up step fails half-way. */
const started: AnvilHandle[] = [];

async function side(chainId: number): Promise<Side> {
  const anvil = await startAnvil({ chainId });
  started.push(anvil);
  const provider = new JsonRpcProvider(anvil.url, chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  const signers = await Promise.all([0, 1, 2, 3, 4].map((i) => provider.getSigner(i)));
  const contracts: Record<string, Contract> = {};
  const roles: Array<[string, string]> = [
    ['router', 'ThorchainRouterEmitter'],
    ['spoke-pool', 'AcrossSpokePoolEmitter'],
    ['standard-bridge', 'OpStandardBridgeEmitter'],
    ['core', 'WormholeEmitter'],
    ['token-bridge', 'WormholeEmitter'],
  ];
  for (const [role, name] of roles) {
    const a = artifacts[name] as Artifact;
    const c = await new ContractFactory(a.abi as never, a.bytecode, signers[0]).deploy();
    await c.waitForDeployment();
    contracts[role] = c as Contract;
  }
  return { anvil, provider, signers, contracts };
}

/** The registry rows of both sides' fixture contracts, as data/bridges.csv would list real ones. */
async function registryOf(sides: Array<[number, Side, number]>): Promise<BridgeRegistry> {
  const protocol: Record<string, [string, string]> = {
    router: ['thorchain', 'router'],
    'spoke-pool': ['across', 'spoke-pool'],
    'standard-bridge': ['op-standard-bridge', 'l1-standard-bridge'],
    core: ['wormhole', 'core'],
    'token-bridge': ['wormhole', 'token-bridge'],
  };
  const records = [];
  for (const [chainId, s, remote] of sides) {
    for (const [key, c] of Object.entries(s.contracts)) {
      const [p, role] = protocol[key] as [string, string];
      const row = { chain_id: String(chainId), address: (await c.getAddress()).toLowerCase(), protocol: p, role, remote_chain_id: p === 'op-standard-bridge' ? String(remote) : '', source: 'deployed by this test' };
      records.push({ line: records.length + 2, row });
    }
  }
  return parseBridgeRegistry(records);
}

/** Every log of the side's chain, as eth_getLogs returns them, decoded through the registry, with block timestamps. */
async function readSide(s: Side, chainId: number, reg: BridgeRegistry): Promise<{ exits: Timed<BridgeExit>[]; arrivals: Timed<BridgeArrival>[]; other: string[] }> {
  const logs = await s.provider.getLogs({ fromBlock: 0, toBlock: 'latest' });
  const raw: RawLog[] = logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, transactionHash: l.transactionHash, logIndex: l.index, blockNumber: l.blockNumber }));
  const times = new Map<number, number>();
  for (const n of new Set(raw.map((l) => l.blockNumber))) times.set(n, (await s.provider.getBlock(n))?.timestamp ?? -1);
  const exits: Timed<BridgeExit>[] = [];
  const arrivals: Timed<BridgeArrival>[] = [];
  const other: string[] = [];
  for (const d of reg.decode(chainId, raw)) {
    if (d.kind === 'exit') exits.push({ item: d.exit, timestamp: times.get(d.exit.source.blockNumber) ?? -1 });
    else if (d.kind === 'arrival') arrivals.push({ item: d.arrival, timestamp: times.get(d.arrival.at.blockNumber) ?? -1 });
    else if (d.kind !== 'not-ours') other.push(`${d.kind}: ${d.reason}`);
  }
  return { exits, arrivals, other };
}

describe('crossings between two anvil chains', () => {
  let a: Side;
  let b: Side;
  let user: string;
  let recipient: string;
  let vault: JsonRpcSigner;
  let relayer: JsonRpcSigner;
  const bitcoinRecipient = 'bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9';
  const received: Record<string, bigint> = {};

  beforeAll(async () => {
    [a, b] = await Promise.all([side(CHAIN_A), side(CHAIN_B)]);
    const signer = (s: Side, i: number): JsonRpcSigner => {
      const found = s.signers[i];
      if (!found) throw new Error(`anvil account ${i} missing`);
      return found;
    };
    const [u, r, v, rl] = [signer(a, 1), signer(a, 2), signer(b, 3), signer(b, 4)];
    user = await u.getAddress();
    recipient = await r.getAddress();
    vault = v;
    relayer = rl;
    const before = await b.provider.getBalance(recipient);
    const beforeUser = await b.provider.getBalance(user);
    const on = (s: Side, name: string, who: JsonRpcSigner): Contract => s.contracts[name]?.connect(who) as Contract;

    // THORChain: ETH on A swapped to BNB on B; the vault pays out on B naming the inbound hash.
    const thorIn = await (await on(a, 'router', u).getFunction('deposit')(await vault.getAddress(), `=:BSC.BNB:${recipient}:1e8`, { value: 2n * ETH })).wait();
    await (await on(b, 'router', vault).getFunction('transferOut')(recipient, `OUT:${thorIn?.hash.slice(2).toUpperCase()}`, { value: 3n * ETH })).wait();
    // THORChain to Bitcoin: leaves the EVM, nothing to match.
    await (await on(a, 'router', u).getFunction('deposit')(await vault.getAddress(), `=:b:${bitcoinRecipient}`, { value: ETH })).wait();

    // Across: deposit on A for B, the relayer fills on B.
    await (await on(a, 'spoke-pool', u).getFunction('deposit')(recipient, CHAIN_B, ETH - 1000n, 4_000_000_000)).wait();
    await (await on(a, 'spoke-pool', u).getFunction('deposit')(recipient, CHAIN_B, ETH / 2n, 4_000_000_000)).wait();
    await (await on(b, 'spoke-pool', relayer).getFunction('fill')({ originChainId: CHAIN_A, depositId: 1, depositor: user, recipient, inputAmount: ETH / 2n }, { value: ETH / 2n })).wait();

    // Wormhole: transfer A → B (Wormhole chain 2 → 4), redeemed on B.
    const tokenBridgeA = (await a.contracts['token-bridge']?.getAddress()) as string;
    await (await on(a, 'core', u).getFunction('publishTransfer')(tokenBridgeA, zeroPadValue(recipient, 32), 4, 2, { value: ETH })).wait();
    await (await on(b, 'token-bridge', relayer).getFunction('redeem')(2, zeroPadValue(tokenBridgeA, 32), 0, recipient, { value: ETH })).wait();
    // A look-alike router on B, not in the registry, "pays" the same inbound: it must not become a link.
    const fake = await new ContractFactory((artifacts.ThorchainRouterEmitter as Artifact).abi as never, (artifacts.ThorchainRouterEmitter as Artifact).bytecode, relayer).deploy();
    await (await (fake.connect(vault) as Contract).getFunction('transferOut')(await relayer.getAddress(), `OUT:${thorIn?.hash.slice(2).toUpperCase()}`, { value: 1n })).wait();

    // OP Stack bridge: the user deposits to their own address; two payouts on B, one of another amount.
    await (await on(a, 'standard-bridge', u).getFunction('depositETH')({ value: 5n * ETH })).wait();
    await (await on(b, 'standard-bridge', relayer).getFunction('finalizeBridgeETH')(user, user, { value: 4n * ETH })).wait();
    await (await on(b, 'standard-bridge', relayer).getFunction('finalizeBridgeETH')(user, user, { value: 5n * ETH })).wait();

    received.recipient = (await b.provider.getBalance(recipient)) - before;
    received.user = (await b.provider.getBalance(user)) - beforeUser;
  });

  afterAll(async () => {
    a?.provider.destroy();
    b?.provider.destroy();
    await Promise.all(started.map((h) => h.stop()));
  });

  const registry = (): Promise<BridgeRegistry> => registryOf([[CHAIN_A, a, CHAIN_B], [CHAIN_B, b, CHAIN_A]]);

  it('decodes every registry contract log into exits on A and arrivals on B, the legacy OP event counted once', async () => {
    const reg = await registry();
    const sa = await readSide(a, CHAIN_A, reg);
    const sb = await readSide(b, CHAIN_B, reg);
    expect(sa.other).toEqual(['ignored: legacy twin of the universal event in the same transaction']);
    expect(sb.other).toEqual([]);
    expect(sa.exits.map((e) => `${e.item.protocol}:${e.item.event}`).sort()).toEqual([
      'across:FundsDeposited', 'across:FundsDeposited', 'op-standard-bridge:ETHBridgeInitiated',
      'thorchain:Deposit', 'thorchain:Deposit', 'wormhole:LogMessagePublished',
    ]);
    expect(sb.arrivals.map((e) => `${e.item.protocol}:${e.item.event}`).sort()).toEqual([
      'across:FilledRelay', 'op-standard-bridge:ETHBridgeFinalized', 'op-standard-bridge:ETHBridgeFinalized',
      'thorchain:TransferOut', 'wormhole:TransferRedeemed',
    ]);
    // The arrivals are real value on B: the recipient got THORChain's 3 + Across's 0.5 + Wormhole's 1.
    expect(received.recipient).toBe(3n * ETH + ETH / 2n + ETH);
  });

  it('links THORChain exactly, Across and Wormhole by id, the OP bridge by inference, and leaves BTC on the frontier', async () => {
    const reg = await registry();
    const sa = await readSide(a, CHAIN_A, reg);
    const sb = await readSide(b, CHAIN_B, reg);
    const { matches, unmatched } = matchBridgeCrossings(sa.exits, sb.arrivals);
    const by = (p: string) => matches.filter((m) => m.exit.protocol === p);

    const [thor] = by('thorchain');
    expect(thor).toMatchObject({ basis: 'protocol-link', confidence: 'certain' });
    expect(thor?.exit.recipient).toEqual({ kind: 'evm', address: recipient.toLowerCase() });
    expect(thor?.exit.promised).toMatchObject({ amount: 100_000_000n, amountKind: 'minimum', asset: { notation: 'BSC.BNB' } });
    expect(thor?.arrival).toMatchObject({ recipient: recipient.toLowerCase(), amount: 3n * ETH });
    expect(thor?.arrival.at.contract).toBe((await b.contracts.router?.getAddress())?.toLowerCase());

    const across = by('across');
    expect(across).toHaveLength(1);
    expect(across[0]?.exit.link).toMatchObject({ parts: { originChainId: String(CHAIN_A), depositId: '1' } });
    expect(across[0]?.arrival.amount).toBe(ETH / 2n);

    const [wh] = by('wormhole');
    expect(wh).toMatchObject({ basis: 'protocol-link' });
    expect(wh?.exit).toMatchObject({ destination: { kind: 'evm', chainId: CHAIN_B }, promised: { amount: ETH / 10n ** 10n, amountKind: 'normalized-8' } });

    const [op] = by('op-standard-bridge');
    expect(op).toMatchObject({ basis: 'heuristic', confidence: 'medium' });
    expect(op?.arrival.amount).toBe(5n * ETH);
    expect(op?.exit.sender).toBe(user.toLowerCase());
    expect(op?.arrival.recipient).toBe(user.toLowerCase());

    // Unmatched: the unfilled Across deposit 0, and the swap to Bitcoin, which names its chain and address.
    expect(unmatched.map((u) => u.exit.protocol).sort()).toEqual(['across', 'thorchain']);
    const btc = unmatched.find((u) => u.exit.protocol === 'thorchain')?.exit;
    expect(btc?.destination).toEqual({ kind: 'named', protocolCode: 'BTC', name: 'Bitcoin' });
    expect(btc?.recipient).toEqual({ kind: 'external', text: bitcoinRecipient });
    expect(btc?.paid?.amount).toBe(ETH);
    expect(matches).toHaveLength(4);
  });
});
