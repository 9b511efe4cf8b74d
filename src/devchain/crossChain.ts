/**
 * A synthetic laundering across three real anvil chains (ids 1, 56 and 10: THORChain's ETH and BSC
 * codes and OP Mainnet map to them), for the cross-chain test and `hoptrace demo --across-chains`.
 *
 * The bridge contracts are our fixture emitters (fixtures/contracts/bridges: the protocols' own event
 * signatures, docs/bridges.md) placed at the addresses data/bridges.csv lists for those chains
 * (anvil_setCode), so the shipped registry is the one a trace reads. Every other address is one of
 * anvil's own dev accounts, and the Bitcoin address is made of the bech32 alphabet: nothing here is a
 * real actor. From a seed on chain 1 a mule crosses THORChain to BSC (exact link: OUT:<hash>), Across to
 * BSC (id link) and the OP standard bridge to OP Mainnet (its own address: an inference); on BSC the
 * recipients pay two venues. A THORChain swap to Bitcoin and an Across deposit to Polygon (no endpoint)
 * are exits for the frontier; a look-alike router outside the registry on both chains, and a look-alike
 * payout naming the real inbound, must not be followed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractFactory, JsonRpcProvider, zeroPadValue, type Contract, type JsonRpcSigner } from 'ethers';
import { BRIDGES_FILE, loadBridgeRegistry, type BridgeRegistry, type BridgeRow } from '../bridges/registry.js';
import { packageRoot } from '../util/package.js';
import { startAnvil, type AnvilHandle } from './anvil.js';
import { artifactsPath } from './paths.js';

const ETH = 10n ** 18n;

interface Artifact {
  abi: unknown[];
  bytecode: string;
}

/** Where the scenario places each fixture emitter: a row of the shipped registry (chain, protocol, role, remote chain). */
const SCENARIO_ROWS = {
  thorRouter1: { chainId: 1, protocol: 'thorchain', role: 'router' },
  thorRouter56: { chainId: 56, protocol: 'thorchain', role: 'router' },
  spokePool1: { chainId: 1, protocol: 'across', role: 'spoke-pool' },
  spokePool56: { chainId: 56, protocol: 'across', role: 'spoke-pool' },
  opL1Bridge1: { chainId: 1, protocol: 'op-standard-bridge', role: 'l1-standard-bridge', remoteChainId: 10 },
  opL2Bridge10: { chainId: 10, protocol: 'op-standard-bridge', role: 'l2-standard-bridge', remoteChainId: 1 },
  // The optional Wormhole path ({ wormhole: true }): the core and token bridge on chain 1 (the transfer is
  // published by the core, naming the token bridge as its sender) and the token bridge on BSC, which redeems.
  wormholeCore1: { chainId: 1, protocol: 'wormhole', role: 'core' },
  wormholeTokenBridge1: { chainId: 1, protocol: 'wormhole', role: 'token-bridge' },
  wormholeTokenBridge56: { chainId: 56, protocol: 'wormhole', role: 'token-bridge' },
} as const satisfies Record<string, Pick<BridgeRow, 'chainId' | 'protocol' | 'role'> & { remoteChainId?: number }>;

/**
 * The addresses of the registry's own rows for the chains of the scenario, read from data/bridges.csv as
 * a trace loads it (bridges/registry.ts), so that the demo cannot drift from the data: a row that is
 * missing or ambiguous there is an error here, not a contract placed where no trace would look.
 */
export function crossChainRegistry(bridges: BridgeRegistry = loadBridgeRegistry()): Record<keyof typeof SCENARIO_ROWS, string> {
  const pick = (want: (typeof SCENARIO_ROWS)[keyof typeof SCENARIO_ROWS]): string => {
    const remote = 'remoteChainId' in want ? want.remoteChainId : null;
    const rows = bridges.rows.filter((r) => r.chainId === want.chainId && r.protocol === want.protocol && r.role === want.role && r.remoteChainId === remote);
    if (rows.length !== 1) throw new Error(`${BRIDGES_FILE} lists ${rows.length} ${want.protocol} ${want.role} rows on chain ${want.chainId}${remote === null ? '' : ` toward chain ${remote}`}; the cross-chain scenario needs exactly one.`);
    return rows[0]!.address;
  };
  const out = {} as Record<keyof typeof SCENARIO_ROWS, string>;
  for (const [name, want] of Object.entries(SCENARIO_ROWS)) out[name as keyof typeof SCENARIO_ROWS] = pick(want);
  return out;
}

/** What the optional Wormhole path adds to the scenario. */
export interface WormholePath {
  /** BSC dev accounts paid by the token bridge: in a token (`token`), and in BSC's native coin. */
  tokenRecipient: string;
  nativeRecipient: string;
  /** The token the BSC token bridge pays out (a fixture TestToken, 18 decimals). */
  token: string;
  tx: Record<'tokenIn' | 'tokenOut' | 'nativeIn' | 'nativeOut', string>;
}

/** Not a real wallet: the bech32 alphabet, in a valid P2WPKH shape. */
export const SCENARIO_BITCOIN = 'bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9';

/** One chain of the scenario: its node and the dev accounts that act on it. */
export interface ScenarioSide {
  anvil: AnvilHandle;
  provider: JsonRpcProvider;
  signers: JsonRpcSigner[];
}

/** What the scenario built: its chains, who is who (lower case) and the transactions that matter. */
export interface CrossChainScenario {
  eth: ScenarioSide;
  bsc: ScenarioSide;
  op: ScenarioSide;
  who: Record<'seed' | 'mule' | 'thorRecipient' | 'acrossRecipient' | 'vault' | 'venueA' | 'venueB' | 'fakeRecipient' | 'fake1' | 'fake56', string>;
  tx: Record<'thorIn' | 'thorOut' | 'acrossIn' | 'acrossFill' | 'opIn' | 'opOut' | 'btc' | 'polygon' | 'fake', string>;
  /** With `{ wormhole: true }`: two Wormhole transfers from the mule to two BSC dev accounts. */
  wormhole: WormholePath | null;
  /** Stops the three nodes. */
  stop(): Promise<void>;
}

function fixtureArtifacts(): Record<string, Artifact> {
  return JSON.parse(readFileSync(artifactsPath(), 'utf8')) as Record<string, Artifact>;
}

function bridgeArtifacts(): Record<string, Artifact> {
  return JSON.parse(readFileSync(join(packageRoot(), 'fixtures/contracts/bridges/artifacts.json'), 'utf8')) as Record<string, Artifact>;
}

/**
 * Starts the three chains and plays the scenario on them; the caller stops them (`stop`). `wormhole` adds
 * two Wormhole token-bridge transfers from the mule to BSC: one redeemed in a token (the payee's ERC-20
 * Transfer in the redeeming transaction names the asset), one in BSC's native coin (no log names it).
 */
export async function buildCrossChainScenario(opts: { wormhole?: boolean } = {}): Promise<CrossChainScenario> {
  const artifacts = bridgeArtifacts();
  const started: ScenarioSide[] = [];
  const side = async (chainId: number): Promise<ScenarioSide> => {
    const anvil = await startAnvil({ chainId });
    const provider = new JsonRpcProvider(anvil.url, chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    const signers = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => provider.getSigner(i)));
    const s = { anvil, provider, signers };
    started.push(s);
    return s;
  };
  const stop = async (): Promise<void> => {
    for (const s of started) s.provider.destroy();
    await Promise.all(started.map((s) => s.anvil.stop()));
  };
  try {
    const [eth, bsc, op] = await Promise.all([side(1), side(56), side(10)]);
    const sig = (s: ScenarioSide, i: number): JsonRpcSigner => s.signers[i] as JsonRpcSigner;
    const lower = (a: string): string => a.toLowerCase();
    /** The fixture emitter `name`, its runtime code placed at `address` on the side's chain. */
    const place = async (s: ScenarioSide, name: string, address: string): Promise<Contract> => {
      const a = artifacts[name] as Artifact;
      const c = await new ContractFactory(a.abi as never, a.bytecode, sig(s, 0)).deploy();
      await c.waitForDeployment();
      const code = await s.provider.getCode(await c.getAddress());
      await s.provider.send('anvil_setCode', [address, code]);
      return new ContractFactory(a.abi as never, a.bytecode).attach(address) as Contract;
    };
    /** The next block of `s` comes at least `seconds` after block `block` of `other` (time order across chains). */
    const after = async (s: ScenarioSide, other: ScenarioSide, block: number | null | undefined, seconds = 20): Promise<void> => {
      const t = (await other.provider.getBlock(block ?? 'latest'))!.timestamp + seconds;
      const mine = (await s.provider.getBlock('latest'))!.timestamp;
      if (t > mine) await s.provider.send('evm_setNextBlockTimestamp', [t]);
    };
    const R = crossChainRegistry();
    const router1 = await place(eth, 'ThorchainRouterEmitter', R.thorRouter1);
    const router56 = await place(bsc, 'ThorchainRouterEmitter', R.thorRouter56);
    const pool1 = await place(eth, 'AcrossSpokePoolEmitter', R.spokePool1);
    const pool56 = await place(bsc, 'AcrossSpokePoolEmitter', R.spokePool56);
    const l1 = await place(eth, 'OpStandardBridgeEmitter', R.opL1Bridge1);
    const l2 = await place(op, 'OpStandardBridgeEmitter', R.opL2Bridge10);
    // A look-alike router outside the registry, on both chains.
    const fakeArt = artifacts.ThorchainRouterEmitter as Artifact;
    const fake1 = (await new ContractFactory(fakeArt.abi as never, fakeArt.bytecode, sig(eth, 0)).deploy()) as Contract;
    const fake56 = (await new ContractFactory(fakeArt.abi as never, fakeArt.bytecode, sig(bsc, 0)).deploy()) as Contract;

    const seed = sig(eth, 1);
    const mule = sig(eth, 2);
    const who: CrossChainScenario['who'] = {
      seed: lower(await seed.getAddress()),
      mule: lower(await mule.getAddress()),
      thorRecipient: lower(await sig(bsc, 3).getAddress()),
      acrossRecipient: lower(await sig(bsc, 4).getAddress()),
      vault: lower(await sig(bsc, 5).getAddress()),
      venueA: lower(await sig(bsc, 6).getAddress()),
      venueB: lower(await sig(bsc, 7).getAddress()),
      fakeRecipient: lower(await sig(eth, 7).getAddress()),
      fake1: lower(await fake1.getAddress()),
      fake56: lower(await fake56.getAddress()),
    };
    const tx = {} as CrossChainScenario['tx'];
    await (await seed.sendTransaction({ to: who.mule, value: 20n * ETH })).wait();
    const on = (c: Contract, s: JsonRpcSigner): Contract => c.connect(s) as Contract;

    // THORChain, ETH → BNB on BSC, and the vault's payout naming the inbound.
    const thorIn = await (await on(router1, mule).getFunction('deposit')(who.vault, `=:BSC.BNB:${who.thorRecipient}:100000000`, { value: 3n * ETH })).wait();
    tx.thorIn = lower(thorIn!.hash);
    await after(bsc, eth, thorIn!.blockNumber);
    const thorOut = await (await on(router56, sig(bsc, 5)).getFunction('transferOut')(who.thorRecipient, `OUT:${thorIn!.hash.slice(2).toUpperCase()}`, { value: 5n * ETH })).wait();
    tx.thorOut = lower(thorOut!.hash);
    // A look-alike on BSC "pays" the same inbound to someone else: not a link.
    await (await on(fake56, sig(bsc, 5)).getFunction('transferOut')(who.venueB, `OUT:${thorIn!.hash.slice(2).toUpperCase()}`, { value: 1n })).wait();
    await (await sig(bsc, 3).sendTransaction({ to: who.venueA, value: 4n * ETH })).wait();

    // Across, deposit on chain 1 for BSC, filled by a relayer there.
    const acrossIn = await (await on(pool1, mule).getFunction('deposit')(who.acrossRecipient, 56, 2n * ETH - 1000n, 4_000_000_000, { value: 2n * ETH })).wait();
    tx.acrossIn = lower(acrossIn!.hash);
    await after(bsc, eth, acrossIn!.blockNumber);
    const fill = await (
      await on(pool56, sig(bsc, 0)).getFunction('fill')({ originChainId: 1, depositId: 0, depositor: who.mule, recipient: who.acrossRecipient, inputAmount: 2n * ETH }, { value: 2n * ETH - 1000n })
    ).wait();
    tx.acrossFill = lower(fill!.hash);
    await (await sig(bsc, 4).sendTransaction({ to: who.venueB, value: ETH })).wait();

    // OP standard bridge: the mule's own address on OP Mainnet.
    const opIn = await (await on(l1, mule).getFunction('depositETH')({ value: 1n * ETH })).wait();
    tx.opIn = lower(opIn!.hash);
    await after(op, eth, opIn!.blockNumber, 60);
    const opOut = await (await on(l2, sig(op, 0)).getFunction('finalizeBridgeETH')(who.mule, who.mule, { value: 1n * ETH })).wait();
    tx.opOut = lower(opOut!.hash);

    // THORChain to Bitcoin (120 BTC promised), and Across to Polygon (no endpoint in the run).
    tx.btc = lower((await (await on(router1, mule).getFunction('deposit')(who.vault, `=:b:${SCENARIO_BITCOIN}:12000000000`, { value: 2n * ETH })).wait())!.hash);
    tx.polygon = lower((await (await on(pool1, mule).getFunction('deposit')(who.acrossRecipient, 137, ETH, 4_000_000_000, { value: ETH })).wait())!.hash);
    // The look-alike router on chain 1: the same Deposit event, not in the registry.
    tx.fake = lower((await (await on(fake1, mule).getFunction('deposit')(who.fakeRecipient, `=:BSC.BNB:${who.venueB}`, { value: ETH / 2n })).wait())!.hash);
    const wormhole = opts.wormhole ? await wormholePath() : null;
    return { eth, bsc, op, who, tx, wormhole, stop };

    /** Two transfers over the Wormhole token bridge, chain 1 (Wormhole chain 2) → BSC (Wormhole chain 4). */
    async function wormholePath(): Promise<WormholePath> {
      const W = { core1: R.wormholeCore1, tokenBridge1: R.wormholeTokenBridge1, tokenBridge56: R.wormholeTokenBridge56 };
      const core1 = await place(eth, 'WormholeEmitter', W.core1);
      const bridge56 = await place(bsc, 'WormholeEmitter', W.tokenBridge56);
      const testToken = fixtureArtifacts().TestToken as Artifact;
      const token = (await new ContractFactory(testToken.abi as never, testToken.bytecode, sig(bsc, 0)).deploy('Test wrapped ether', 'tWETH', 18)) as Contract;
      await token.waitForDeployment();
      const tokenAddress = lower(await token.getAddress());
      // The token bridge holds what it pays out (locked or minted tokens).
      await (await token.getFunction('mint')(W.tokenBridge56, 10n * ETH)).wait();
      const path: WormholePath = {
        tokenRecipient: lower(await sig(bsc, 8).getAddress()),
        nativeRecipient: lower(await sig(bsc, 9).getAddress()),
        token: tokenAddress,
        tx: {} as WormholePath['tx'],
      };
      const pad = (a: string): string => zeroPadValue(a, 32);
      // Sequence 0: redeemed in the token; sequence 1: in BSC's coin.
      const tokenIn = await (await on(core1, mule).getFunction('publishTransfer')(W.tokenBridge1, pad(path.tokenRecipient), 4, 2, { value: ETH })).wait();
      path.tx.tokenIn = lower(tokenIn!.hash);
      await after(bsc, eth, tokenIn!.blockNumber);
      const tokenOut = await (await on(bridge56, sig(bsc, 0)).getFunction('redeemToken')(2, pad(W.tokenBridge1), 0, tokenAddress, path.tokenRecipient, ETH)).wait();
      path.tx.tokenOut = lower(tokenOut!.hash);
      const nativeIn = await (await on(core1, mule).getFunction('publishTransfer')(W.tokenBridge1, pad(path.nativeRecipient), 4, 2, { value: ETH / 2n })).wait();
      path.tx.nativeIn = lower(nativeIn!.hash);
      await after(bsc, eth, nativeIn!.blockNumber);
      const nativeOut = await (await on(bridge56, sig(bsc, 0)).getFunction('redeem')(2, pad(W.tokenBridge1), 1, path.nativeRecipient, { value: ETH / 2n })).wait();
      path.tx.nativeOut = lower(nativeOut!.hash);
      return path;
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
