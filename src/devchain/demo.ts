/**
 * The demo chain: a replay of a slice of the real Bybit (Feb 2025) laundering topology, from the public
 * flow dataset in data/flows/bybit-incident-tna (we-stronger/bybit-incident-tna, edges.csv), between
 * the real addresses, on a local anvil. scripts/build-demo-chain.mjs runs it and stores the result as
 * fixtures/demo-chain.json; fixtures/demo-chain.md tells the story and lists what a trace must find.
 *
 * What is real and what is not:
 * - Every address is either in data/ (seeds, labels, the flow dataset) or created on this chain (the three
 *   fixture contracts and anvil's first dev account, which deploys them).
 * - Every value transfer replays one edge of edges.csv; the amount is that edge's `last_value_raw`
 *   (the last transfer the dataset saw for the pair — not a sum), unscaled, in wei. The dataset does not
 *   name the asset of an edge; two edges are replayed as a fixture token instead of ETH (see below).
 * - Times: within each account's first/last activity window from accounts_depth1.csv; exact per-edge
 *   times are not in the dataset, so the ones not pinned by a window boundary are chosen, in order.
 * - Not real: opening balances (anvil_setBalance), the token mint, the fixture contracts, the WETH and
 *   USDT stand-ins for unknown assets, the Forwarder on the last edge, the zero-value poisoning log.
 */
import { HoptraceError } from '../errors.js';
import type { Address } from '../types.js';
import type { Scenario, TxResult } from './scenario.js';

/** Chain id of the demo chain (anvil's default). Reports use `--labels-chain ethereum`. */
export const DEMO_CHAIN_ID = 31337;
/** Genesis timestamp: 2025-02-20T00:00:00Z, the day before the hack, so real dates can follow. */
export const DEMO_GENESIS_TIMESTAMP = Date.UTC(2025, 1, 20) / 1000;
/** Empty blocks mined after the story, 12 s apart, so every story block is below `finalized` (head − 64). */
export const DEMO_TRAILING_BLOCKS = 80;

/** The real addresses the demo uses, all lower-case, each found in data/. */
export const DEMO_ADDRESSES = {
  /** Seed, `[researcher]` "Bybit attacker infrastructure: Direct Theft (401,346 ETH + 90,375 stETH)". */
  exploiter: '0x47666fab8bd0ac7003bce3f5c3585383f09486e2',
  /** Seed, `[official:FBI]` PSA I-022625-PSA. Hop 1. */
  fbi51e9: '0x51e9d833ecae4e8d9d8be17300aee6d3398c135d',
  /** Seed, `[label:Etherscan]` "Bybit Exploit". Hop 2. */
  eth7f1d: '0x7f1defe8358148ff42b368706cb3d18e35317268',
  /** Seed, `[label:Etherscan]` "Bybit Exploit". Hop 3. */
  ethf588: '0xf58841b8ce569bfd1ad73aaf43d93c834855d7e4',
  /** Seed, `[label:Etherscan]` "Bybit Exploit". Hop 4. */
  ethb21e: '0xb21e59b3d4e4d6c5247325dc5fbedbc89afc69f4',
  /** THORChain Router V4 on Ethereum (data/exchanges.csv, category bridge). Hop 5. */
  thorchainRouter: '0xd37bbe5744d730a1d98d8dc97c42f0ca46ad7146',
  /** Seed, `[official:FBI]`; received 10,000 ETH from the exploiter (the WETH branch). */
  fbifc92: '0xfc926659dd8808f6e3e0a8d61b20b871f3fa6465',
  /** Seed, `[label:Etherscan]`; b21e59b3's other recipient (replayed through the Forwarder). */
  ethd508: '0xd508be16c347aeeaee0522e1350b7b7daf7e9bcc',
  /** Unlabelled counterparty in the dataset (external): 7f1defe8 → f3de3c0d → f58841b8. */
  cpf3de: '0xf3de3c0d654fda23dad170f0f320a92172509127',
  /** Unlabelled counterparty (external): fc926659 → bd915d00 → f58841b8. */
  cpbd91: '0xbd915d00b369b9c7fcef3eadb7a127b48e999075',
  /** Unlabelled counterparty (external): 7f1defe8 → d852856f → f58841b8 (token amounts). */
  cpd852: '0xd852856f86a90f1c084eeda0959cfe1fd7e40c9c',
  /**
   * Look-alike of f58841b8…d7e4 (same first 3 and last 4 hex digits), counterparty of 7f1defe8 in the
   * dataset with the same amount as the real hop: an address-poisoning target. Must not be followed.
   */
  lookalikef585: '0xf5859296718f8e8249edbf4d223e2ca9f555d7e4',
} as const satisfies Record<string, Address>;

/**
 * The fixture contracts on the demo chain: anvil's dev account 0 deploys them with nonces 0, 1, 2, so
 * their addresses are fixed (buildDemoChain checks it).
 */
export const DEMO_CONTRACTS = {
  /** TestToken "USDT stand-in (hoptrace fixture)", symbol USDT, 6 decimals. Not the real USDT. */
  usdt: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  /** WrappedEther, symbol WETH, 18 decimals. */
  weth: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  /** Forwarder, owner = the deployer. */
  forwarder: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
} as const satisfies Record<string, Address>;

/** What a trace from the seed over the demo chain must find (asserted by hoptrace's own tests). */
export const DEMO_EXPECTED = {
  chainId: DEMO_CHAIN_ID,
  labelsChain: 'ethereum',
  seed: DEMO_ADDRESSES.exploiter,
  /** The only labelled venue on the chain. */
  venue: { address: DEMO_ADDRESSES.thorchainRouter, entity: 'THORChain', category: 'bridge', risk: 'standard' },
  /** Hops from the seed to the venue along the shortest path (all native ETH). */
  hops: 5,
  /** That path, seed first, venue last: every address on it is a seed; it is also the earliest to arrive. */
  path: [
    DEMO_ADDRESSES.exploiter,
    DEMO_ADDRESSES.fbi51e9,
    DEMO_ADDRESSES.eth7f1d,
    DEMO_ADDRESSES.ethf588,
    DEMO_ADDRESSES.ethb21e,
    DEMO_ADDRESSES.thorchainRouter,
  ],
  /**
   * The other 5-hop path on the chain (a real one of edges.csv too): hop 2 is a WETH transfer, and it
   * reaches f58841b8 later (block of bd915d00 → f58841b8) than the main path does.
   */
  alternatePath: [
    DEMO_ADDRESSES.exploiter,
    DEMO_ADDRESSES.fbifc92,
    DEMO_ADDRESSES.cpbd91,
    DEMO_ADDRESSES.ethf588,
    DEMO_ADDRESSES.ethb21e,
    DEMO_ADDRESSES.thorchainRouter,
  ],
  /** ETH that reached the venue, in wei (edges.csv last_value_raw of b21e59b3 → router). */
  venueAmount: 44_945_000_000_000_000_000n,
  /** Addresses a correct trace never reaches from the seed (zero-value poisoning only). */
  notReached: [DEMO_ADDRESSES.lookalikef585],
  /**
   * Shortest hop distance from the seed of every address the funds reach, time-respecting, following
   * every non-zero movement (native, internal, ERC-20; a wrap counts as a move to the WETH contract).
   * The build recomputes it from the chain's own steps and fails on any difference.
   */
  hopOf: {
    [DEMO_ADDRESSES.exploiter]: 0,
    [DEMO_ADDRESSES.fbi51e9]: 1,
    [DEMO_ADDRESSES.fbifc92]: 1,
    [DEMO_ADDRESSES.eth7f1d]: 2,
    [DEMO_CONTRACTS.weth]: 2,
    [DEMO_ADDRESSES.cpbd91]: 2,
    [DEMO_ADDRESSES.cpd852]: 3,
    [DEMO_ADDRESSES.cpf3de]: 3,
    [DEMO_ADDRESSES.ethf588]: 3,
    [DEMO_ADDRESSES.ethb21e]: 4,
    [DEMO_ADDRESSES.thorchainRouter]: 5,
    [DEMO_CONTRACTS.forwarder]: 5,
    [DEMO_ADDRESSES.ethd508]: 6,
  } as Readonly<Record<Address, number>>,
} as const;

/** Asset of a story step, for the record. */
export type DemoAsset = 'ETH' | 'WETH' | 'USDT';

/** One step of the story as it landed on the chain. */
export interface DemoStep {
  /** What happened, one line. */
  what: string;
  kind: 'deploy' | 'native' | 'internal' | 'erc20' | 'mint' | 'wrap' | 'unwrap' | 'poison';
  from: Address;
  to: Address;
  asset: DemoAsset;
  /** Base units of `asset` (wei for ETH/WETH, 6 decimals for USDT). */
  amount: bigint;
  /** The edges.csv row replayed (`source → target = last_value_raw`), when the step replays one. */
  edge?: { source: Address; target: Address; lastValueRaw: string };
  /** Hop number on the expected seed → venue path, when the step is one. */
  hop?: number;
  tx: TxResult;
}

/** Everything the build produced: contract addresses and the steps in chain order. */
export interface DemoChainRecord {
  deployer: Address;
  contracts: { usdt: Address; weth: Address; forwarder: Address };
  steps: DemoStep[];
  /** Last block holding a story transaction. */
  lastStoryBlock: number;
  /** Head after the trailing empty blocks. */
  head: number;
}

/** The exploiter's opening balance: the 401,346 ETH of the seed label (the theft itself is not replayed). */
const EXPLOITER_OPENING_WEI = 401_346n * 10n ** 18n;
/** Dataset token amounts are 18-decimal; the USDT stand-in has 6, so the same decimal quantity is kept. */
const TO_USDT_UNITS = 10n ** 12n;

/**
 * Writes the demo story onto the chain behind `s` (a fresh anvil started at DEMO_GENESIS_TIMESTAMP with
 * base fee 0, and a scenario with gas price 0 so balances move only by the replayed amounts).
 * Deterministic: the same inputs give the same blocks and transaction hashes.
 */
export async function buildDemoChain(s: Scenario): Promise<DemoChainRecord> {
  const A = DEMO_ADDRESSES;
  const steps: DemoStep[] = [];
  const deployer = await s.deployer();

  // Fixture contracts first, the day before the hack.
  const usdtTx = await s.deploy('TestToken', ['USDT stand-in (hoptrace fixture)', 'USDT', 6], undefined, {
    at: '2025-02-20T00:00:12Z',
  });
  const wethTx = await s.deploy('WrappedEther', [], undefined, { at: '2025-02-20T00:00:24Z' });
  const fwdTx = await s.deploy('Forwarder', [deployer], undefined, { at: '2025-02-20T00:00:36Z' });
  const usdt = usdtTx.address;
  const weth = wethTx.address;
  const forwarder = fwdTx.address;
  if (usdt !== DEMO_CONTRACTS.usdt || weth !== DEMO_CONTRACTS.weth || forwarder !== DEMO_CONTRACTS.forwarder) {
    // The md, DEMO_EXPECTED and hoptrace's tests name these addresses: a fresh chain must reproduce them.
    throw new HoptraceError(`the fixture contracts landed at ${usdt}, ${weth}, ${forwarder}, not at DEMO_CONTRACTS`, {
      hint: 'build on a fresh anvil whose first dev account has sent nothing yet',
    });
  }
  steps.push(
    deployStep('deploy TestToken "USDT" (6 decimals): a stand-in, not the real USDT contract', deployer, usdtTx),
    deployStep('deploy WrappedEther "WETH" (WETH9-style fixture)', deployer, wethTx),
    deployStep('deploy Forwarder (owner: the deployer)', deployer, fwdTx),
  );

  await s.fund(A.exploiter, EXPLOITER_OPENING_WEI);

  const eth = async (
    from: Address,
    to: Address,
    raw: string,
    at: string,
    what: string,
    hop?: number,
  ): Promise<void> => {
    const tx = await s.sendEth(from, to, BigInt(raw), { at });
    steps.push({ what, kind: 'native', from, to, asset: 'ETH', amount: BigInt(raw), edge: edge(from, to, raw), hop, tx });
  };

  // Feb 21: the exploiter splits off 10,000 ETH lots (15:48:23 is the first activity of both recipients;
  // one transaction per block here, so the second lot lands one 12 s slot later).
  await eth(A.exploiter, A.fbi51e9, '10000000000000000000000', '2025-02-21T15:48:23Z', 'exploiter → 51e9d833: 10,000 ETH', 1);
  await eth(A.exploiter, A.fbifc92, '10000000000000000000000', '2025-02-21T15:48:35Z', 'exploiter → fc926659: 10,000 ETH');

  // Feb 24: 51e9d833 feeds 7f1defe8 (its first activity).
  await eth(A.fbi51e9, A.eth7f1d, '206021437110891380000', '2025-02-24T18:26:23Z', '51e9d833 → 7f1defe8: 206.02 ETH', 2);

  // 7f1defe8 also consolidated a token (the dataset's 547,168.41 units in, all of it out to d852856f).
  // Its inflows are not replayed: a mint stands for them.
  const usdtIn = BigInt('547168413925372150431906') / TO_USDT_UNITS;
  const mintTx = await s.mintToken(usdt, A.eth7f1d, usdtIn, { at: '2025-02-24T18:26:35Z' });
  steps.push({
    what: 'mint 547,168.413925 USDT stand-in to 7f1defe8 (stands for its token inflows, not replayed)',
    kind: 'mint',
    from: '0x0000000000000000000000000000000000000000',
    to: A.eth7f1d,
    asset: 'USDT',
    amount: usdtIn,
    tx: mintTx,
  });

  // WETH branch: fc926659 → bd915d00 (asset unknown in the dataset; replayed as WETH to exercise wraps).
  const wrapWei = BigInt('204235071484957930000');
  steps.push({
    what: 'fc926659 wraps 204.235 ETH into WETH (Deposit)',
    kind: 'wrap',
    from: A.fbifc92,
    to: A.fbifc92,
    asset: 'WETH',
    amount: wrapWei,
    tx: await s.wrap(weth, A.fbifc92, wrapWei, { at: '2025-02-24T20:00:11Z' }),
  });
  steps.push({
    what: 'fc926659 → bd915d00: 204.235 WETH',
    kind: 'erc20',
    from: A.fbifc92,
    to: A.cpbd91,
    asset: 'WETH',
    amount: wrapWei,
    edge: edge(A.fbifc92, A.cpbd91, wrapWei.toString()),
    tx: await s.invoke('WrappedEther', weth, A.fbifc92, 'transfer', [A.cpbd91, wrapWei], undefined, {
      at: '2025-02-24T20:00:23Z',
    }),
  });
  steps.push({
    what: 'bd915d00 unwraps 204.235 WETH (Withdrawal + internal transfer WETH → bd915d00)',
    kind: 'unwrap',
    from: A.cpbd91,
    to: A.cpbd91,
    asset: 'WETH',
    amount: wrapWei,
    tx: await s.unwrap(weth, A.cpbd91, wrapWei, { at: '2025-02-24T20:05:11Z' }),
  });

  // Token leg: 7f1defe8 → d852856f → f58841b8, same decimal quantities at 6 decimals.
  steps.push({
    what: '7f1defe8 → d852856f: 547,168.413925 USDT stand-in',
    kind: 'erc20',
    from: A.eth7f1d,
    to: A.cpd852,
    asset: 'USDT',
    amount: usdtIn,
    edge: edge(A.eth7f1d, A.cpd852, '547168413925372150431906'),
    tx: await s.tokenTransfer(usdt, A.eth7f1d, A.cpd852, usdtIn, { at: '2025-02-24T23:10:11Z' }),
  });

  // Feb 25: f58841b8 (active 00:45:11–04:25:11) is fed from four sides.
  await eth(A.eth7f1d, A.cpf3de, '206010975809565000000', '2025-02-25T00:40:11Z', '7f1defe8 → f3de3c0d: 206.01 ETH');
  await eth(A.cpf3de, A.ethf588, '199091733736482537760', '2025-02-25T00:45:11Z', 'f3de3c0d → f58841b8: 199.09 ETH');
  const usdtOn = BigInt('500000000000000000000000') / TO_USDT_UNITS;
  steps.push({
    what: 'd852856f → f58841b8: 500,000 USDT stand-in',
    kind: 'erc20',
    from: A.cpd852,
    to: A.ethf588,
    asset: 'USDT',
    amount: usdtOn,
    edge: edge(A.cpd852, A.ethf588, '500000000000000000000000'),
    tx: await s.tokenTransfer(usdt, A.cpd852, A.ethf588, usdtOn, { at: '2025-02-25T00:47:11Z' }),
  });
  await eth(A.eth7f1d, A.ethf588, '7348015299192604', '2025-02-25T00:51:47Z', '7f1defe8 → f58841b8: 0.00735 ETH', 3);

  // Address poisoning: a forged zero-value Transfer "from" 7f1defe8 to a look-alike of f58841b8.
  steps.push({
    what: 'poisoning: forged USDT Transfer(7f1defe8 → f5859296…d7e4, 0), sent by the deployer',
    kind: 'poison',
    from: A.eth7f1d,
    to: A.lookalikef585,
    asset: 'USDT',
    amount: 0n,
    edge: edge(A.eth7f1d, A.lookalikef585, '7348015299192604'),
    tx: await s.poison(usdt, A.eth7f1d, A.lookalikef585, { at: '2025-02-25T00:51:59Z' }),
  });

  // bd915d00's payment lands after 7f1defe8's, so the all-seed path is also the earliest to arrive.
  await eth(A.cpbd91, A.ethf588, '14908482760000000', '2025-02-25T00:55:11Z', 'bd915d00 → f58841b8: 0.0149 ETH');

  await eth(A.ethf588, A.ethb21e, '45000000000000000000', '2025-02-25T01:03:23Z', 'f58841b8 → b21e59b3: 45 ETH', 4);
  await eth(A.ethb21e, A.thorchainRouter, '44945000000000000000', '2025-02-25T01:30:11Z', 'b21e59b3 → THORChain Router: 44.945 ETH', 5);

  // b21e59b3's other outflow (d508be16's first activity, 01:57:47), routed through the Forwarder so the
  // chain holds an internal transfer: b21e59b3 → Forwarder (native), Forwarder → d508be16 (internal).
  const fwdWei = BigInt('54706180270412000');
  const fwd = await s.forward(forwarder, A.ethb21e, A.ethd508, fwdWei, { at: '2025-02-25T01:57:47Z' });
  steps.push(
    {
      what: 'b21e59b3 → Forwarder.forward(d508be16): 0.0547 ETH',
      kind: 'native',
      from: A.ethb21e,
      to: forwarder,
      asset: 'ETH',
      amount: fwdWei,
      edge: edge(A.ethb21e, A.ethd508, fwdWei.toString()),
      tx: fwd,
    },
    {
      what: 'Forwarder → d508be16: 0.0547 ETH (internal transfer, trace [0])',
      kind: 'internal',
      from: forwarder,
      to: A.ethd508,
      asset: 'ETH',
      amount: fwdWei,
      tx: fwd,
    },
  );

  const lastStoryBlock = fwd.blockNumber;
  const head = await s.mine(DEMO_TRAILING_BLOCKS, 12);
  return { deployer, contracts: { usdt, weth, forwarder }, steps, lastStoryBlock, head };
}

function edge(source: Address, target: Address, lastValueRaw: string): DemoStep['edge'] {
  return { source, target, lastValueRaw };
}

function deployStep(what: string, deployer: Address, tx: TxResult & { address: Address }): DemoStep {
  return { what, kind: 'deploy', from: deployer, to: tx.address, asset: 'ETH', amount: 0n, tx };
}
