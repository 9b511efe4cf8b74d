#!/usr/bin/env node
/**
 * Builds the demo chain: starts a fresh anvil (chain id 31337, genesis 2025-02-20, base fee 0), replays the
 * Bybit laundering slice of src/devchain/demo.ts on it, stops anvil so it dumps its state, checks that the
 * dump loads and still answers for its old blocks (receipts, eth_getLogs, trace_filter, trace_block), and
 * only then writes fixtures/demo-chain.json and fixtures/demo-chain.md.
 *
 * Deterministic: a rebuild gives the same blocks, hashes and files.
 * Usage: npm run build && node scripts/build-demo-chain.mjs
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'devchain');
if (!existsSync(join(dist, 'demo.js'))) {
  console.error('build-demo-chain: dist/devchain/demo.js is missing: run npm run build first');
  process.exit(1);
}
const { startAnvil } = await import('../dist/devchain/anvil.js');
const { createScenario } = await import('../dist/devchain/scenario.js');
const { buildDemoChain, DEMO_ADDRESSES, DEMO_CHAIN_ID, DEMO_EXPECTED, DEMO_GENESIS_TIMESTAMP, DEMO_TRAILING_BLOCKS } =
  await import('../dist/devchain/demo.js');

const MAX_DUMP_BYTES = 5 * 1024 * 1024;
const outJson = join(root, 'fixtures', 'demo-chain.json');
const outMd = join(root, 'fixtures', 'demo-chain.md');
const work = mkdtempSync(join(tmpdir(), 'hoptrace-demo-'));
const dumpPath = join(work, 'demo-chain.json');

try {
  // 1. Build.
  const anvil = await startAnvil({
    dumpState: dumpPath,
    chainId: DEMO_CHAIN_ID,
    genesisTimestamp: DEMO_GENESIS_TIMESTAMP,
    baseFee: 0n,
  });
  let record;
  try {
    record = await buildDemoChain(createScenario(anvil.url, { gasPrice: 0n }));
  } finally {
    await anvil.stop();
  }
  if (!existsSync(dumpPath)) throw new Error(`anvil exited without writing ${dumpPath}`);
  canonicalize(dumpPath);
  const size = statSync(dumpPath).size;
  if (size > MAX_DUMP_BYTES) throw new Error(`the dump is ${size} bytes, over the ${MAX_DUMP_BYTES}-byte budget`);

  // 2. Check that the dump is a usable chain, not just a state snapshot.
  const loaded = await startAnvil({ loadState: dumpPath });
  try {
    await verify(createScenario(loaded.url), record);
  } finally {
    await loaded.stop();
  }

  // 3. Publish.
  copyFileSync(dumpPath, outJson);
  writeFileSync(outMd, renderMarkdown(record, size));
  console.log(
    `build-demo-chain: ${record.steps.length} steps in blocks 1–${record.lastStoryBlock}, head ${record.head}, ` +
      `${size} bytes → ${outJson}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * anvil writes blocks and transactions in hash-map order, which changes from run to run although the
 * content does not. Sorting them (and the account maps) makes a rebuild byte-identical, so git shows no
 * change when the story did not change. Safe to round-trip through JSON.parse: the dump holds no JSON
 * number above 2^53 (amounts and hashes are hex strings); checked here anyway.
 */
function canonicalize(file) {
  const text = readFileSync(file, 'utf8');
  for (const [, digits] of text.matchAll(/[:[,]\s*(\d{16,})/g)) {
    if (!Number.isSafeInteger(Number(digits))) {
      throw new Error(`the dump holds the number ${digits}, which JSON.parse would round; not rewriting it`);
    }
  }
  const state = JSON.parse(text);
  state.blocks?.sort((a, b) => Number(a.header.number) - Number(b.header.number));
  state.transactions?.sort(
    (a, b) => a.block_number - b.block_number || a.info.transaction_index - b.info.transaction_index,
  );
  if (state.accounts) {
    state.accounts = sortKeys(state.accounts);
    for (const account of Object.values(state.accounts)) {
      if (account.storage) account.storage = sortKeys(account.storage);
    }
  }
  writeFileSync(file, JSON.stringify(state));
}

function sortKeys(obj) {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Fails loudly when the loaded chain does not hold what the story wrote. */
async function verify(s, record) {
  const check = (ok, what) => {
    if (!ok) throw new Error(`demo chain check failed after --load-state: ${what}`);
  };
  const hex = (n) => '0x' + n.toString(16);

  check((await s.blockNumber()) === record.head, `head is ${await s.blockNumber()}, expected ${record.head}`);
  for (const step of record.steps) {
    const r = await s.rpc('eth_getTransactionReceipt', [step.tx.hash]);
    check(r && r.status === '0x1' && Number(r.blockNumber) === step.tx.blockNumber, `receipt of ${step.what}`);
  }

  const traces = await s.rpc('trace_filter', [{ fromBlock: '0x0', toBlock: hex(record.head) }]);
  const moves = traces.filter((t) => t.action?.value && BigInt(t.action.value) > 0n);
  const venueHop = moves.find((t) => t.action.to === DEMO_EXPECTED.venue.address);
  check(venueHop && BigInt(venueHop.action.value) === DEMO_EXPECTED.venueAmount, 'trace_filter: hop into the venue');
  const internal = moves.filter((t) => t.traceAddress.length > 0);
  check(
    internal.some((t) => t.action.from === record.contracts.forwarder && t.action.to === DEMO_ADDRESSES.ethd508),
    'trace_filter: internal transfer Forwarder → d508be16',
  );
  check(
    internal.some((t) => t.action.from === record.contracts.weth && t.action.to === DEMO_ADDRESSES.cpbd91),
    'trace_filter: internal transfer WETH → bd915d00 (unwrap)',
  );
  const venueStep = record.steps.find((st) => st.hop === DEMO_EXPECTED.hops);
  const blockTraces = await s.rpc('trace_block', [hex(venueStep.tx.blockNumber)]);
  check(blockTraces.some((t) => t.action?.to === DEMO_EXPECTED.venue.address), 'trace_block of the venue hop');

  const usdtLogs = await s.rpc('eth_getLogs', [{ address: record.contracts.usdt, fromBlock: '0x0', toBlock: hex(record.head) }]);
  const usdtSteps = record.steps.filter((st) => st.asset === 'USDT');
  check(usdtLogs.length === usdtSteps.length, `eth_getLogs USDT: ${usdtLogs.length} logs, expected ${usdtSteps.length}`);
  const wethLogs = await s.rpc('eth_getLogs', [{ address: record.contracts.weth, fromBlock: '0x0', toBlock: hex(record.head) }]);
  check(wethLogs.length === 3, `eth_getLogs WETH: ${wethLogs.length} logs, expected 3 (Deposit, Transfer, Withdrawal)`);

  const finalized = await s.rpc('eth_getBlockByNumber', ['finalized', false]);
  check(Number(finalized.number) >= record.lastStoryBlock, `finalized block ${Number(finalized.number)} is below the story`);
  check((await s.balance(DEMO_EXPECTED.venue.address)) === DEMO_EXPECTED.venueAmount, 'venue balance');

  const computed = Object.fromEntries([...distances(record)].map(([a, r]) => [a, r.hop]));
  const declared = { ...DEMO_EXPECTED.hopOf };
  check(
    JSON.stringify(Object.entries(computed).sort()) === JSON.stringify(Object.entries(declared).sort()),
    `DEMO_EXPECTED.hopOf does not match the chain: computed ${JSON.stringify(computed)}`,
  );
  check(computed[DEMO_EXPECTED.venue.address] === DEMO_EXPECTED.hops, 'venue hop count');
  for (const a of DEMO_EXPECTED.notReached) check(!(a in computed), `${a} must not be reached`);
}

function renderMarkdown(record, size) {
  const A = DEMO_ADDRESSES;
  const short = (a) => `${a.slice(0, 10)}…${a.slice(-4)}`;
  const names = new Map([
    [record.deployer, 'deployer (anvil dev account 0)'],
    [record.contracts.usdt, 'USDT stand-in (fixture)'],
    [record.contracts.weth, 'WETH (fixture)'],
    [record.contracts.forwarder, 'Forwarder (fixture)'],
    [A.thorchainRouter, 'THORChain Router'],
    ['0x0000000000000000000000000000000000000000', 'mint'],
  ]);
  const who = (a) => (names.has(a) ? `${names.get(a)} \`${short(a)}\`` : `\`${short(a)}\``);
  const amount = (step) => {
    if (step.kind === 'deploy') return '';
    const decimals = step.asset === 'USDT' ? 6 : 18;
    return `${formatUnits(step.amount, decimals)} ${step.asset}`;
  };
  const iso = (ts) => new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
  const rows = record.steps.map((st) =>
    [
      st.tx.blockNumber,
      iso(st.tx.timestamp),
      st.hop ?? '',
      st.kind,
      who(st.from),
      who(st.to),
      amount(st),
      st.edge ? `\`${st.edge.lastValueRaw}\`` : '—',
    ].join(' | '),
  );

  return `# The demo chain (fixtures/demo-chain.json)

Generated by \`scripts/build-demo-chain.mjs\` from \`src/devchain/demo.ts\`; do not edit by hand, rebuild
instead (\`npm run build && node scripts/build-demo-chain.mjs\`; the build is deterministic).

An anvil state dump (${(size / 1024).toFixed(0)} KiB) holding a replay of a slice of the **real laundering of the
Bybit hack** (2025-02-21, attributed by the FBI to TraderTraitor / Lazarus), between the real addresses.
Load it with \`startAnvil({ loadState: demoChainPath() })\` or \`anvil --load-state fixtures/demo-chain.json\`.

* Chain id **${DEMO_CHAIN_ID}** (anvil's default). The labels are Ethereum ones: run reports with
  **\`--labels-chain ethereum\`**.
* Blocks 1–${record.lastStoryBlock} hold the story (one transaction per block), then ${DEMO_TRAILING_BLOCKS} empty blocks 12 s apart,
  so head = ${record.head} and every story block is at or below \`finalized\` (anvil: head − 64).
* Dates are real: block timestamps run from 2025-02-20 (fixture deployments) to 2025-02-25.
* Gas is free (base fee 0, gas price 0), so balances move only by the replayed amounts.
* After \`--load-state\`: blocks, receipts, \`eth_getLogs\`, \`trace_filter\` and \`trace_block\` answer for old
  blocks (checked by the build). Historical *state* is not kept: \`eth_getBalance\`/\`eth_call\` at an old block
  and \`debug_traceBlockByNumber\` fail; query state at \`latest\`. (Dumping with
  \`--preserve-historical-states\` would keep them, at about 3 MB instead of ~0.3 MB.)
* anvil's \`trace_filter\`: at most 300 blocks per call (\`toBlock − fromBlock ≤ 300\`), hex block numbers
  only (no \`latest\`), and \`fromAddress\` + \`toAddress\` are OR-ed unless \`mode: "intersection"\`.
* The expectations below are also exported as \`DEMO_EXPECTED\` / \`DEMO_ADDRESSES\` from
  \`src/devchain/demo.ts\`.

## Source

\`data/flows/bybit-incident-tna/edges.csv\` (we-stronger/bybit-incident-tna @ d15cda7, the dataset of
*Understanding Ethereum Money Laundering via Transaction Network Analysis: A Case Study of the Bybit
Incident*, Ding et al., 2025 — cite the paper). A breadth-first search over its edges from the seed
addresses finds the THORChain Router V4 (\`data/exchanges.csv\`: THORChain, bridge, standard) **5 hops**
from the exploiter seed \`${A.exploiter}\` (lazarus-seeds.csv: \`[researcher]\` "Bybit attacker
infrastructure: Direct Theft (401,346 ETH + 90,375 stETH)", tayvano/lazarus-bluenoroff-research — the
address the stolen ETH landed on); the other exploiter seed, \`0x0fa09c3a…2d6e\` ("Exploiter EOA"), is 7
hops away. Four distinct 5-hop paths exist (via fc926659/bd915d00, 51e9d833/04ff7134, 51e9d833/7f1defe8,
cd1a4a45/04ff7134); all of them end f58841b8 → b21e59b3 → router. The demo replays the one whose every
intermediate address is itself a seed, plus the edges that keep its balances consistent and three side
branches (one of which is the fc926659/bd915d00 path):

| hop | address | in data/ as |
|---|---|---|
| 0 | \`${A.exploiter}\` | seed, \`[researcher]\` Bybit Direct Theft |
| 1 | \`${A.fbi51e9}\` | seed, \`[official:FBI]\` PSA I-022625-PSA |
| 2 | \`${A.eth7f1d}\` | seed, \`[label:Etherscan]\` "Bybit Exploit" |
| 3 | \`${A.ethf588}\` | seed, \`[label:Etherscan]\` "Bybit Exploit" |
| 4 | \`${A.ethb21e}\` | seed, \`[label:Etherscan]\` "Bybit Exploit" |
| 5 | \`${A.thorchainRouter}\` | exchanges.csv: THORChain (Router V4), bridge, chain ethereum |

## Expected result of a trace

From seed \`${DEMO_EXPECTED.seed}\`, direction out:

* **Venue hit: THORChain** (\`${DEMO_EXPECTED.venue.address}\`, category bridge, risk standard) at **hop 5**,
  reached with **44.945 ETH** (native) in block ${record.steps.find((st) => st.hop === 5).tx.blockNumber}.
  It is the only labelled venue on the chain.
* Path: ${DEMO_EXPECTED.path.map(short).join(' → ')} (all native ETH, every
  address a seed; the earliest to arrive at each hop).
* A second 5-hop path exists (also real edges): ${DEMO_EXPECTED.alternatePath.map(short).join(' → ')}, hop 2 in
  WETH; it reaches f58841b8 in block ${blockOf(record, A.cpbd91, A.ethf588)} instead of ${blockOf(record, A.eth7f1d, A.ethf588)}. A report may show either;
  the hop count is 5 both ways.
* **Not reached:** \`${A.lookalikef585}\` — only a zero-value forged Transfer points there.
* Every address the funds reach, with its shortest hop distance from the seed (time-respecting: a hop
  counts only after the funds arrived; every non-zero movement followed — native, internal, ERC-20, and
  a wrap as a move to the WETH contract; the mint and the zero-value poisoning log are not movements of
  the seed's funds):

| hop | address | reached via |
|---|---|---|
${distanceRows(record).join('\n')}

* No sanctioned venue: no edge of the dataset touches a sanctioned row of \`exchanges.csv\` (Garantex,
  Suex, Chatex, Cryptex, …), so none was replayed (none was invented).

## What is real, what is not

* **Real:** every address (data/ files, or created on this chain: the three fixture contracts and anvil's
  dev account 0 \`${record.deployer}\` that deploys them and sends the mint and the poison call); every
  value edge is a row of edges.csv, its amount is that row's \`last_value_raw\` **unscaled** (in wei for
  ETH/WETH). The direction and order of the hops.
* **Times:** the dataset has no per-edge times. Each one lies inside both accounts' first/last activity
  window (\`accounts_depth1.csv\`); the window boundaries used as-is are 51e9d833 and fc926659 first seen
  2025-02-21 15:48:23 (one tx per block, so fc926659's lot is 12 s later), 7f1defe8 first 2025-02-24
  18:26:23 and last 2025-02-25 00:51:47, f58841b8 first 00:45:11, b21e59b3 first 01:03:23, d508be16 first
  01:57:47. The other times are chosen, in a consistent order.
* \`last_value_raw\` is the **last** transfer seen for a pair, not a sum; the dataset says nothing about
  which asset moved. Hence:
  * the exploiter's opening balance is set with \`anvil_setBalance\` to the 401,346 ETH of its seed label
    (the theft itself is not replayed);
  * hop 3 (7f1defe8 → f58841b8, 0.00735 ETH) is tiny next to hop 4 (45 ETH): f58841b8's ETH comes from
    the real edge f3de3c0d → f58841b8 (199.09 ETH), itself fed by 7f1defe8 → f3de3c0d (206.01 ETH);
    both are replayed so every balance stays consistent;
  * **token leg:** 7f1defe8 → d852856f (547,168.41 units) and d852856f → f58841b8 (500,000 units) are
    token amounts (no such ETH balances); they are replayed as a fixture ERC-20 with symbol **USDT** and 6
    decimals — **a stand-in deployed on this chain, not the real USDT contract, and not a claim that the
    real asset was USDT**. Same decimal quantity (raw ÷ 10¹²). A mint to 7f1defe8 stands for its token
    inflows, which are not replayed;
  * **WETH:** fc926659 → bd915d00 (204.235 units) is replayed as fc926659 wrapping ETH in the fixture
    WETH, sending WETH, and bd915d00 unwrapping it — to put a wrap on a real path;
  * **Forwarder:** b21e59b3 → d508be16 (0.0547 ETH) goes through the fixture Forwarder
    (\`forward(d508be16)\`), so the chain holds an internal transfer; it adds one hop on that branch.
* **Poisoning:** in the dataset 7f1defe8 "sent" the same 0.00735 to \`${short(A.lookalikef585)}\`,
  a look-alike of f58841b8 (same \`0xf58\` prefix and \`d7e4\` suffix): address poisoning. It is replayed as
  the common zero-value variant: the USDT stand-in's \`poison()\` emits \`Transfer(7f1defe8, look-alike, 0)\`.
  A tracer must not follow it.
* **Not replayed:** the "2 edges to Bybit hot wallets" mentioned in \`data/flows/README.md\`: no Bybit row
  is left in \`data/exchanges.csv\` (Bybit labels came from spellbook only and were removed for licence
  reasons), so they cannot be identified from data/.

## Contracts

| contract | address |
|---|---|
| TestToken "USDT stand-in (hoptrace fixture)", symbol USDT, 6 decimals | \`${record.contracts.usdt}\` |
| WrappedEther "Wrapped Ether", symbol WETH, 18 decimals | \`${record.contracts.weth}\` |
| Forwarder (owner: deployer) | \`${record.contracts.forwarder}\` |

Sources in \`fixtures/contracts/*.sol\`, compiled into \`fixtures/contracts/artifacts.json\`.

## Steps

| block | time (UTC) | hop | kind | from | to | amount | edges.csv last_value_raw |
|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r} |`).join('\n')}

Transaction hashes:

${record.steps
  .filter((st, i, all) => all.findIndex((o) => o.tx.hash === st.tx.hash) === i)
  .map((st) => `* block ${st.tx.blockNumber}: \`${st.tx.hash}\``)
  .join('\n')}
`;
}

/**
 * Shortest time-respecting hop distance of every address from the seed, over the recorded movements.
 * Level by level: a movement is usable at level k when its source was reached at level k − 1 by an
 * earlier movement (steps are in chain order; an internal transfer comes after its outer call).
 * Every movement that reaches an address at its first level is listed.
 */
function distances(record) {
  const moves = [];
  record.steps.forEach((st, seq) => {
    if (st.amount === 0n || ['deploy', 'mint', 'poison', 'unwrap'].includes(st.kind)) return;
    const to = st.kind === 'wrap' ? record.contracts.weth : st.to;
    moves.push({ seq, from: st.from, to, block: st.tx.blockNumber, via: `${st.kind} ${st.asset}` });
  });
  const best = new Map([[DEMO_EXPECTED.seed, { hop: 0, seq: -1, vias: ['seed'] }]]);
  let frontier = new Map([[DEMO_EXPECTED.seed, -1]]);
  for (let hop = 1; frontier.size > 0; hop++) {
    const next = new Map();
    for (const m of moves) {
      const since = frontier.get(m.from);
      if (since === undefined || m.seq <= since || best.has(m.to)) continue;
      const entry = next.get(m.to) ?? { hop, seq: m.seq, vias: [] };
      entry.seq = Math.min(entry.seq, m.seq);
      entry.vias.push(`${m.via} from ${m.from.slice(0, 10)}… (block ${m.block})`);
      next.set(m.to, entry);
    }
    frontier = new Map();
    for (const [addr, r] of next) {
      best.set(addr, r);
      frontier.set(addr, r.seq);
    }
  }
  return best;
}

function distanceRows(record) {
  const best = distances(record);
  const names = new Map([
    [record.contracts.weth, ' (WETH fixture)'],
    [record.contracts.forwarder, ' (Forwarder fixture)'],
    [DEMO_EXPECTED.venue.address, ' (**THORChain Router**)'],
  ]);
  return [...best.entries()]
    .sort((a, b) => a[1].hop - b[1].hop || a[1].seq - b[1].seq)
    .map(([addr, r]) => `| ${r.hop} | \`${addr}\`${names.get(addr) ?? ''} | ${r.vias.join('; ')} |`);
}

function blockOf(record, from, to) {
  return record.steps.find((st) => st.from === from && st.to === to && st.amount > 0n).tx.blockNumber;
}

function formatUnits(value, decimals) {
  const base = 10n ** BigInt(decimals);
  const whole = value / base;
  const frac = (value % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${whole.toLocaleString('en-US')}${frac ? '.' + frac : ''}`;
}
