/**
 * Bench chains: a generated laundering graph on anvil, built once per (generator version, size, anvil
 * version) and cached as an anvil `--dump-state` file under bench/.cache/ (gitignored).
 *
 * Shape (seeded, deterministic): a few seeds fan out; below them peel chains (pay one address on, peel a
 * part off to a cash-out address), smaller fan-outs and consolidations, `LEVELS` hops deep; cash-out
 * addresses pay real labelled exchanges of data/exchanges.csv. Half the laundering addresses are
 * contracts (BenchWallet, set with anvil_setCode) that pay many recipients in one transaction: their
 * payments are *internal* ETH transfers and ERC-20 transfers; the other half are EOAs paying with
 * top-level ETH transactions or one ERC-20 transfer per transaction. Address-poisoning spam (zero-value
 * forged Transfer logs from laundering addresses to look-alikes) and unrelated background traffic in every
 * block make the chain look like a chain and not like a test fixture.
 *
 * Speed: every sender is impersonated (`--auto-impersonate`), nonces and gas are set here (no estimation),
 * mining is manual (`--no-mining`, one `evm_mine` per block after its transactions are in the pool), and
 * block gas is unlimited, so a block holds whatever its level needs. Each block's receipts are checked:
 * a reverted transaction stops the build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { Interface } from 'ethers';
import pLimit from 'p-limit';
import { startAnvil, resolveAnvilBinary } from '../dist/devchain/anvil.js';
import { getArtifact } from '../dist/devchain/contracts.js';
import { loadLabelBook } from '../dist/labels/load.js';
import { mulberry32 } from './common.mjs';

/** Bump when the generated chain changes shape: cached chains of another version are not reused. */
export const GENERATOR_VERSION = 5;
/** Hops below a seed (the venue payment is one more). */
export const LEVELS = 7;
/**
 * Blocks each hop level spans by default. The same for every size, so the sizes differ in density, not
 * length (the smoke test passes a smaller number for a short chain).
 */
export const BLOCKS_PER_LEVEL = 60;
/** Unrelated transfers in every block (background traffic a block scan must read too). */
const NOISE_PER_BLOCK = 8;
const GENESIS_TIMESTAMP = 1_735_689_600; // 2025-01-01T00:00:00Z
export const CHAIN_ID = 31337;

const here = dirname(fileURLToPath(import.meta.url));
/** Where built chains are kept (gitignored); HOPTRACE_BENCH_CACHE moves it (the smoke test uses a temp dir). */
export const CACHE_DIR = process.env.HOPTRACE_BENCH_CACHE ?? join(here, '.cache');

const wallet = new Interface(JSON.parse(readFileSync(join(here, 'contracts', 'artifacts.json'), 'utf8')).BenchWallet.abi);
const token = new Interface(getArtifact('TestToken').abi);

export function anvilVersion() {
  const out = execFileSync(resolveAnvilBinary(), ['--version'], { encoding: 'utf8' });
  return /Version:\s*(\S+)/.exec(out)?.[1] ?? out.split('\n')[0].trim();
}

/** Seeded draws for a plan (also bench/depositChain.mjs). */
export function rng(seed) {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    address: () => '0x' + Array.from({ length: 20 }, () => Math.floor(next() * 256).toString(16).padStart(2, '0')).join(''),
  };
}

/** Real venue addresses (data/exchanges.csv, undated labels), the ends of cash-out branches. */
function venues(count) {
  const book = loadLabelBook('ethereum');
  const out = [];
  for (const [address, label] of book.entries()) {
    if (label.category === 'exchange' && label.validFrom === null && label.validTo === null) out.push(address);
    if (out.length === count) break;
  }
  return out;
}

/**
 * The laundering plan: addresses and their payments, block by block. Pure (no node): the same size gives
 * the same plan. Returns { seeds, nodes, payments, blocks, venues }.
 */
export function plan(size, blocksPerLevel = BLOCKS_PER_LEVEL) {
  const r = rng(0x0b0b + size);
  const venueList = venues(24);
  const seedCount = Math.max(2, Math.round(size / 400));
  const nodes = []; // { address, wallet, asset: 'eth'|'tok', level, arrival (block), inflow (bigint), parents }
  const byLevel = Array.from({ length: LEVELS + 1 }, () => []);
  const add = (level, asset, isWallet) => {
    const n = { address: r.address(), wallet: isWallet, asset, level, arrival: 0, inflow: 0n, out: [] };
    nodes.push(n);
    byLevel[level].push(n);
    return n;
  };
  const seeds = [];
  for (let i = 0; i < seedCount; i++) seeds.push(add(0, 'both', false));
  // Breadth-first: every node at level < LEVELS gets children until the address budget is used.
  const edges = []; // { from: node, to: node | venue address, asset }
  let budget = size - seedCount;
  for (let level = 0; level < LEVELS && budget > 0; level++) {
    const parents = byLevel[level];
    // Children per parent so that the levels below can still be filled: seeds fan out widely.
    for (const p of parents) {
      if (budget <= 0) break;
      const remainingLevels = LEVELS - level;
      const want = level === 0 ? Math.ceil((size - seedCount) / seedCount / (remainingLevels * 2)) : r.int(1, 3);
      const kids = Math.min(budget, Math.max(1, Math.min(level === 0 ? 400 : 40, want)));
      for (let k = 0; k < kids && budget > 0; k++) {
        const asset = p.asset === 'both' ? (r.next() < 0.5 ? 'eth' : 'tok') : p.asset;
        // Consolidation: now and then pay an address another parent of this level already pays.
        const same = byLevel[level + 1].filter((c) => c.asset === asset);
        if (level > 1 && same.length > 0 && r.next() < 0.08) {
          edges.push({ from: p, to: r.pick(same), asset });
          continue;
        }
        const child = add(level + 1, asset, r.next() < 0.5);
        budget--;
        edges.push({ from: p, to: child, asset });
        // Peel: an EOA peel chain also sends a part off to a cash-out address that pays a venue.
        if (level > 0 && r.next() < 0.25 && budget > 0) {
          const cash = add(level + 1, asset, false);
          budget--;
          edges.push({ from: p, to: cash, asset });
          edges.push({ from: cash, to: r.pick(venueList), asset, venue: true });
        }
      }
    }
  }
  // The last level cashes out at venues.
  for (const n of byLevel[LEVELS]) edges.push({ from: n, to: r.pick(venueList), asset: n.asset, venue: true });

  // Timing: a level's payments happen in its own span of blocks, after everything it received.
  const outOf = new Map();
  for (const e of edges) {
    const list = outOf.get(e.from) ?? [];
    list.push(e);
    outOf.set(e.from, list);
  }
  const sendBlock = new Map();
  for (const n of nodes) {
    const lo = 1 + n.level * blocksPerLevel;
    sendBlock.set(n, lo + r.int(0, blocksPerLevel - 1));
  }
  // A node sends after its last arrival (consolidations can arrive late): push the send block on.
  const arrivals = new Map();
  for (const e of edges) {
    if (typeof e.to === 'string') continue;
    arrivals.set(e.to, Math.max(arrivals.get(e.to) ?? 0, sendBlock.get(e.from)));
  }
  for (const n of nodes) if (arrivals.has(n)) sendBlock.set(n, Math.max(sendBlock.get(n), arrivals.get(n) + 1));

  // Amounts: each node passes on 95–99 % of what it got, split over its payments (several per edge for
  // wallets: repeated payments to the same address in one batch).
  const SEED_ETH = 10n ** 24n;
  const SEED_TOK = 10n ** 18n;
  const payments = []; // { block, from, fromWallet, to, asset, amount }
  const inflow = new Map(seeds.map((s) => [s, { eth: SEED_ETH, tok: SEED_TOK }]));
  const ordered = [...nodes].sort((a, b) => sendBlock.get(a) - sendBlock.get(b));
  for (const n of ordered) {
    const out = outOf.get(n) ?? [];
    if (out.length === 0) continue;
    const have = inflow.get(n) ?? { eth: 0n, tok: 0n };
    for (const asset of ['eth', 'tok']) {
      const mine = out.filter((e) => e.asset === asset);
      if (mine.length === 0 || have[asset] === 0n) continue;
      const total = (have[asset] * BigInt(95 + r.int(0, 4))) / 100n;
      const reps = mine.map(() => (n.wallet ? r.int(3, 14) : r.int(1, 4)));
      const parts = reps.reduce((a, b) => a + b, 0);
      const unit = total / BigInt(parts);
      if (unit === 0n) continue;
      mine.forEach((e, i) => {
        for (let k = 0; k < reps[i]; k++) {
          const to = typeof e.to === 'string' ? e.to : e.to.address;
          payments.push({ block: sendBlock.get(n), from: n.address, fromWallet: n.wallet, to, asset, amount: unit });
          if (typeof e.to !== 'string') {
            const got = inflow.get(e.to) ?? { eth: 0n, tok: 0n };
            got[asset] += unit;
            inflow.set(e.to, got);
          }
        }
      });
    }
  }
  // Spam: zero-value forged Transfer logs from laundering addresses to fresh look-alikes, ~1 per 10 nodes.
  const spam = [];
  for (const n of nodes) if (r.next() < 0.1) spam.push({ block: sendBlock.get(n), from: n.address, to: r.address() });
  const lastBlock = LEVELS * blocksPerLevel + blocksPerLevel + 1;
  // Background: unrelated addresses paying each other, NOISE_PER_BLOCK transfers a block.
  const noiseWallets = Array.from({ length: 4 }, () => r.address());
  const noise = [];
  for (let b = 1; b <= lastBlock; b++) {
    for (let k = 0; k < NOISE_PER_BLOCK; k++) noise.push({ block: b, from: r.pick(noiseWallets), to: r.address(), amount: BigInt(r.int(1, 1e6)) * 10n ** 12n });
  }
  return {
    seeds: seeds.map((s) => s.address),
    nodes,
    wallets: nodes.filter((n) => n.wallet).map((n) => n.address),
    payments,
    spam,
    noise,
    noiseWallets,
    lastBlock,
    venues: venueList,
  };
}

async function rpcCall(url, method, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export const hex = (n) => '0x' + BigInt(n).toString(16);

/** A fresh anvil for building a bench chain, dumping its state to `dumpState` when stopped. */
export function startBuildAnvil(dumpState, extraArgs = []) {
  return startAnvil({
    dumpState,
    baseFee: 0n,
    genesisTimestamp: GENESIS_TIMESTAMP,
    chainId: CHAIN_ID,
    extraArgs: ['--auto-impersonate', '--no-mining', '--disable-block-gas-limit', '--disable-code-size-limit', ...extraArgs],
  });
}

/**
 * What building a bench chain on a fresh anvil at `url` needs (manual mining, impersonated senders):
 * raw calls, explicit nonces (so concurrent sends cannot reorder one sender's transactions), a send
 * with gas price 0, and a mine that checks every receipt of the new block (a revert stops the build).
 * Blocks are 12 s apart. Also bench/depositChain.mjs.
 */
export async function chainBuilder(url) {
  const call = (m, params = []) => rpcCall(url, m, params);
  await call('anvil_setBlockTimestampInterval', [12]);
  const deployer = (await call('eth_accounts'))[0].toLowerCase();
  const nonces = new Map();
  const nonce = async (from) => {
    if (!nonces.has(from)) nonces.set(from, Number(await call('eth_getTransactionCount', [from, 'pending'])));
    const n = nonces.get(from);
    nonces.set(from, n + 1);
    return hex(n);
  };
  const send = async (tx) => call('eth_sendTransaction', [{ gasPrice: '0x0', ...tx, nonce: await nonce(tx.from) }]);
  const mine = async () => {
    await call('evm_mine');
    const n = Number(await call('eth_blockNumber'));
    const receipts = await call('eth_getBlockReceipts', [hex(n)]);
    const bad = receipts.find((x) => x.status !== '0x1');
    if (bad) throw new Error(`bench chain: transaction ${bad.transactionHash} reverted in block ${n}`);
    return n;
  };
  return { call, deployer, nonce, send, mine };
}

/**
 * Builds the chain of `size` addresses on a fresh anvil and dumps it to `statePath`. Returns the facts a
 * bench run needs (seeds, head, transfer counts), also written next to the state as JSON.
 */
async function build(size, blocksPerLevel, statePath, log) {
  const p = plan(size, blocksPerLevel);
  const tmp = statePath + '.tmp';
  const anvil = await startBuildAnvil(tmp);
  const url = anvil.url;
  try {
    const { call, deployer, nonce, send, mine } = await chainBuilder(url);

    // Block 1: the token (the one ERC-20 of the story), the noise wallet's and the seeds' opening balances.
    const tokenTx = await send({
      from: deployer,
      gas: hex(3_000_000),
      data: getArtifact('TestToken').bytecode + token.encodeDeploy(['Bench USD', 'BUSD', 6]).slice(2),
    });
    await mine();
    const tokenAddress = (await call('eth_getTransactionReceipt', [tokenTx])).contractAddress.toLowerCase();
    // One deployed wallet gives the runtime code; every other wallet is that code set on a fresh address.
    const walletArtifact = JSON.parse(readFileSync(join(here, 'contracts', 'artifacts.json'), 'utf8')).BenchWallet;
    const wtx = await send({ from: deployer, gas: hex(3_000_000), data: walletArtifact.bytecode });
    await mine();
    const proto = (await call('eth_getTransactionReceipt', [wtx])).contractAddress;
    const code = await call('eth_getCode', [proto, 'latest']);
    const limit = pLimit(16);
    await Promise.all([...p.wallets, ...p.noiseWallets].map((a) => limit(() => call('anvil_setCode', [a, code]))));
    for (const s of p.seeds) {
      await call('anvil_setBalance', [s, hex(10n ** 25n)]);
    }
    for (const w of p.noiseWallets) await call('anvil_setBalance', [w, hex(10n ** 27n)]);
    const start = Number(await call('eth_blockNumber')) + 1;
    for (const s of p.seeds) await send({ from: deployer, to: tokenAddress, gas: hex(200_000), data: token.encodeFunctionData('mint', [s, 10n ** 18n]) });
    await mine();

    // Transactions per plan block: EOAs one per payment, wallets one per (asset) batch.
    const txsOf = new Map();
    const push = (b, tx) => {
      const list = txsOf.get(b) ?? [];
      list.push(tx);
      txsOf.set(b, list);
    };
    const batches = new Map();
    for (const pay of p.payments) {
      if (!pay.fromWallet) {
        if (pay.asset === 'eth') push(pay.block, { from: pay.from, to: pay.to, value: hex(pay.amount), gas: hex(60_000) });
        else push(pay.block, { from: pay.from, to: tokenAddress, gas: hex(120_000), data: token.encodeFunctionData('transfer', [pay.to, pay.amount]) });
        continue;
      }
      const key = `${pay.block}|${pay.from}|${pay.asset}`;
      const b = batches.get(key) ?? { block: pay.block, from: pay.from, asset: pay.asset, to: [], amounts: [] };
      b.to.push(pay.to);
      b.amounts.push(pay.amount);
      batches.set(key, b);
    }
    const operator = deployer;
    for (const b of batches.values()) {
      const data =
        b.asset === 'eth'
          ? wallet.encodeFunctionData('pay', [b.to, b.amounts])
          : wallet.encodeFunctionData('payToken', [tokenAddress, b.to, b.amounts]);
      push(b.block, { from: operator, to: b.from, gas: hex(60_000 + 60_000 * b.to.length), data });
    }
    const spamBy = new Map();
    for (const s of p.spam) spamBy.set(s.block, [...(spamBy.get(s.block) ?? []), s]);
    for (const [b, list] of spamBy) {
      push(b, {
        from: operator,
        to: p.noiseWallets[0],
        gas: hex(60_000 + 30_000 * list.length),
        data: wallet.encodeFunctionData('spam', [tokenAddress, list.map((s) => s.from), list.map((s) => s.to)]),
      });
    }
    const noiseBy = new Map();
    for (const n of p.noise) noiseBy.set(`${n.block}|${n.from}`, [...(noiseBy.get(`${n.block}|${n.from}`) ?? []), n]);
    for (const list of noiseBy.values()) {
      push(list[0].block, {
        from: operator,
        to: list[0].from,
        gas: hex(60_000 + 40_000 * list.length),
        data: wallet.encodeFunctionData('pay', [list.map((n) => n.to), list.map((n) => n.amount)]),
      });
    }

    let txCount = 0;
    const t0 = Date.now();
    for (let b = 1; b <= p.lastBlock; b++) {
      const txs = txsOf.get(b) ?? [];
      // Nonces are taken in order before sending, so concurrent sends cannot reorder one sender's txs.
      const withNonce = [];
      for (const tx of txs) withNonce.push({ gasPrice: '0x0', ...tx, nonce: await nonce(tx.from) });
      await Promise.all(withNonce.map((tx) => limit(() => call('eth_sendTransaction', [tx]))));
      txCount += txs.length;
      await mine();
      if (b % 50 === 0) log(`  size ${size}: block ${b}/${p.lastBlock}, ${txCount} transactions, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    const head = Number(await call('eth_blockNumber'));
    const info = {
      generator: GENERATOR_VERSION,
      size,
      blocksPerLevel,
      plan: planHash(size, blocksPerLevel),
      anvil: anvilVersion(),
      chainId: CHAIN_ID,
      seeds: p.seeds,
      addresses: p.nodes.length,
      wallets: p.wallets.length,
      token: tokenAddress,
      venues: p.venues,
      hops: LEVELS + 1,
      firstBlock: start,
      head,
      transactions: txCount,
      launderingPayments: p.payments.length,
      spamLogs: p.spam.length,
      noiseTransfers: p.noise.length,
      buildSeconds: (Date.now() - t0) / 1000,
    };
    await anvil.stop();
    renameSync(tmp, statePath);
    return info;
  } finally {
    await anvil.stop();
  }
}

/** The cached chain of `size` addresses (built first if missing): { statePath, info }. */
export async function ensureChain(size, log = () => {}, blocksPerLevel = BLOCKS_PER_LEVEL) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const span = blocksPerLevel === BLOCKS_PER_LEVEL ? '' : `-b${blocksPerLevel}`;
  const key = `chain-g${GENERATOR_VERSION}-n${size}${span}-anvil${anvilVersion()}`;
  const statePath = join(CACHE_DIR, `${key}.json`);
  const infoPath = join(CACHE_DIR, `${key}.info.json`);
  if (existsSync(statePath) && existsSync(infoPath)) {
    return { statePath, info: JSON.parse(readFileSync(infoPath, 'utf8')), cached: true };
  }
  log(`building bench chain of ${size} addresses (cached in ${CACHE_DIR})`);
  const info = await build(size, blocksPerLevel, statePath, log);
  writeFileSync(infoPath, JSON.stringify(info, null, 2) + '\n');
  return { statePath, info, cached: false };
}

/** A short content hash of the chain plan: the same size gives the same chain. */
export function planHash(size, blocksPerLevel = BLOCKS_PER_LEVEL) {
  const p = plan(size, blocksPerLevel);
  return createHash('sha256').update(JSON.stringify(p.payments, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex').slice(0, 12);
}
