/**
 * The deposit-detection bench chain: laundered funds reaching true exchange deposit addresses and
 * decoys that look like them, with the ground truth known from the plan. Built once per (generator
 * version, scale, anvil version) and cached as an anvil `--dump-state` file beside the other bench chains.
 *
 * Seeds pay entry addresses (hop 1); an entry pays one to three cases, directly (target at hop 2) or
 * through one or two forwarding addresses (hop 3 or 4, the trace's last hop, where the walk makes a
 * sweep lookup instead of expanding). Every target is one of:
 *
 * true deposit addresses (the exchange's side sweeps them into its labelled hot wallet)
 * - `sweep`: an EOA swept in one transaction within 250 blocks, less the sweep's gas fee;
 * - `token-gas`: a token arrival; the hot wallet tops the address up with ETH for gas, then it sweeps the token;
 * - `batched`: a contract deposit address (BenchWallet code) swept with 2–4 others in one transaction
 *   by the exchange's sweeper contract (BenchSweeper): internal transfers or token logs sharing a tx hash;
 * - `dust`: swept leaving 0.3–5 % behind;
 * - `several-customers`: one to three other (untraced) customers pay the same address around the traced
 *   arrival (sometimes before it), and one sweep takes the lot;
 * - `late-sweep`: a threshold sweeper, 400–3,000 blocks (1.3–10 hours) after the arrival;
 * every one of them but SINGLE_USE is reused: its customer pays in again once or twice later, and
 * each payment is swept the same way (a batched one by a sweeper call of its own);
 *
 * decoys (not deposit addresses)
 * - `peel-hop`: a peel-chain intermediary: peels 5–25 % off to an exchange, forwards the rest;
 * - `peel-end`: the end of a peel chain, forwarding everything (less gas) within minutes to a labelled
 *   hot wallet that nothing else in the chain pays (its own venue); FORWARDS_TWICE of them get a second
 *   laundering payment later and forward it to the same venue;
 * - `token-forward`: a token arrival, gas from the launderer's own (unlabelled) gas wallet, then every
 *   token forwarded to a venue of its own within minutes (FORWARDS_TWICE of them twice): the mirror of
 *   `token-gas`, where the exchange pays the gas;
 * - `forward-to-deposit`: forwards everything into a user-labelled exchange deposit address, which the
 *   exchange sweeps in turn;
 * - `otc-desk`: a desk with a float and many clients, paying an exchange lumps that match no one client;
 * - `payment-processor`: many customers, a settlement of the accumulated balance to an exchange hours later.
 *
 * Labels: exchange hot wallets are real rows of data/exchanges.csv (undated, category exchange), as the
 * main bench chain uses; the labelled deposit addresses are fresh addresses with user labels.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Interface } from 'ethers';
import { getArtifact } from '../dist/devchain/contracts.js';
import { loadLabelBook } from '../dist/labels/load.js';
import { anvilVersion, CACHE_DIR, chainBuilder, CHAIN_ID, hex, rng, startBuildAnvil } from './chain.mjs';

/** Bump when the generated chain changes shape: cached chains of another version are not reused. */
export const DEPOSIT_GENERATOR_VERSION = 4;
/** Hops of the trace over this chain: targets sit at hops 2–4. */
export const DEPOSIT_HOPS = 4;
/** Exchanges whose hot wallets sweep the true deposit addresses. */
const EXCHANGES = 6;
/**
 * Repetition on both sides, with the same gaps and the same shape (a payment in from a wallet outside
 * the trace, forwarded or swept in full), so that the bench does not hand the detector a difference the
 * world does not have: a true deposit address is paid into and swept again (one or two more cycles, its
 * customer paying in again) unless it is used once (SINGLE_USE of them); a forwarding decoy (`peel-end`,
 * `token-forward`) receives a second laundering payment and forwards it to the same venue in
 * FORWARDS_TWICE of the cases. Both rates are assumptions (no source measures them for the addresses a
 * trace meets): recall at `high` moves with the first, precision at `high` with the second.
 */
const SINGLE_USE = 0.3;
const FORWARDS_TWICE = 0.3;
/**
 * Blocks from one cycle's sweep (or forward) to the next payment in: 4 minutes to 2 hours. Real reuse
 * spans weeks too; the detector reads HISTORY_BLOCKS (about 7 days) either side, so the gap's length
 * is not what it is measured on, and the bench keeps its chain short (anvil's mining slows with every
 * block: a chain of 10,000 blocks took 8 minutes to build).
 */
const cycleGap = (r) => r.int(20, 600);

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = JSON.parse(readFileSync(join(here, 'contracts', 'artifacts.json'), 'utf8'));
const walletAbi = new Interface(artifacts.BenchWallet.abi);
const sweeperAbi = new Interface(artifacts.BenchSweeper.abi);
const tokenAbi = new Interface(getArtifact('TestToken').abi);

/** How many of each kind per unit of scale (the `scale` argument multiplies them). */
const KINDS = {
  sweep: { truth: 'deposit', per: 2 },
  'token-gas': { truth: 'deposit', per: 2 },
  batched: { truth: 'deposit', per: 3 },
  dust: { truth: 'deposit', per: 2 },
  'several-customers': { truth: 'deposit', per: 2 },
  'late-sweep': { truth: 'deposit', per: 1 },
  'peel-chain': { truth: 'decoy', per: 2 },
  'token-forward': { truth: 'decoy', per: 1 },
  'forward-to-deposit': { truth: 'decoy', per: 2 },
  'otc-desk': { truth: 'decoy', per: 1 },
  'payment-processor': { truth: 'decoy', per: 1 },
};

/** Labelled exchange hot wallets: `EXCHANGES` of distinct entities for the sweeps, the rest as unique venues. */
function hotWallets() {
  const book = loadLabelBook('ethereum');
  const sweepers = [];
  const others = [];
  const entities = new Set();
  for (const [address, label] of book.entries()) {
    if (label.category !== 'exchange' || label.validFrom !== null || label.validTo !== null) continue;
    if (sweepers.length < EXCHANGES && !entities.has(label.entity)) {
      entities.add(label.entity);
      sweepers.push(label);
    } else others.push(label);
  }
  return { sweepers, others };
}

/**
 * The plan: every transaction by plan block, the balances and code to set first, the user labels, and
 * the truth about every target. Pure (no node): the same scale gives the same plan.
 */
export function depositPlan(scale, seed = 0) {
  // Seed 0 is the chain every earlier run measured; another seed draws another chain of the same kinds.
  const r = rng(0xde9051 + scale + seed * 0x10001);
  const { sweepers, others } = hotWallets();
  const txs = []; // { block, type: 'eth'|'token'|'sweep', from, to, amount, ... }
  const balances = new Map(); // address → wei set before the first block
  const mints = new Map(); // address → token units minted before the first block
  const contracts = []; // addresses given BenchWallet code
  const truth = [];
  const userLabels = [];
  let addresses = 0;
  const fresh = () => {
    addresses++;
    return r.address();
  };
  const eth = () => BigInt(r.int(5, 5000)) * 10n ** 16n; // 0.05–50 ETH
  const tok = () => BigInt(r.int(100, 200_000)) * 10n ** 6n; // 100–200,000 units of a 6-decimal token
  // The sweep's own gas, left behind by an EOA that sends "everything": 21,000 gas at 5–50 gwei.
  const fee = () => 21_000n * BigInt(r.int(5, 50)) * 10n ** 9n;
  const pay = (block, from, to, asset, amount) => txs.push({ block, type: asset === 'eth' ? 'eth' : 'token', from, to, amount });
  const hot = () => r.pick(sweepers);
  let venueNext = 0;
  const uniqueVenue = () => {
    const v = others[venueNext++];
    if (!v) throw new Error('depositChain: not enough labelled exchange addresses for unique venues');
    return v;
  };

  const seeds = Array.from({ length: 4 }, fresh);
  for (const s of seeds) {
    balances.set(s, 10n ** 25n);
    mints.set(s, 10n ** 18n);
  }
  for (const h of sweepers) balances.set(h.address, 10n ** 21n);

  const cases = [];
  for (const [kind, { truth: t, per }] of Object.entries(KINDS)) for (let i = 0; i < per * scale; i++) cases.push({ kind, truth: t });
  // Fisher–Yates with the plan's own draws: kinds mixed over entries and depths.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [cases[i], cases[j]] = [cases[j], cases[i]];
  }
  const batches = new Map(); // entity|asset → [{ address, amount, arrival }]

  const target = (c, address, hop, extra = {}) => truth.push({ address, truth: c.truth, kind: c.kind, hop, ...extra });
  /** A fresh wallet holding `amount` of the asset (and ETH), for a payment outside the traced flow. */
  const wallet = (asset, amount) => {
    const w = fresh();
    balances.set(w, (asset === 'eth' ? amount : 0n) + 10n ** 18n);
    if (asset === 'tok') mints.set(w, amount);
    return w;
  };
  /**
   * A true deposit address's later cycles: unless used once, its customer (one wallet) pays in once or
   * twice more, each swept as `sweepOnce` sweeps it. Returns the number of cycles in all.
   */
  const reuse = (t, asset, after, sweepOnce) => {
    if (r.next() < SINGLE_USE) return 1;
    const n = r.int(1, 2);
    const amounts = Array.from({ length: n }, () => (asset === 'eth' ? eth() : tok()));
    const customer = wallet(asset, amounts.reduce((a, b) => a + b, 0n));
    let at = after;
    for (const amount of amounts) {
      const paid = at + cycleGap(r);
      pay(paid, customer, t, asset, amount);
      at = sweepOnce(paid, amount);
    }
    return 1 + n;
  };
  /** A forwarding decoy's second forward (FORWARDS_TWICE of them): another laundering wallet pays it, it forwards all of it. */
  const forwardAgain = (t, asset, after, venue) => {
    if (r.next() >= FORWARDS_TWICE) return 1;
    const amount = asset === 'eth' ? eth() : tok();
    const paid = after + cycleGap(r);
    pay(paid, wallet(asset, amount), t, asset, amount);
    pay(paid + r.int(2, 30), t, venue, asset, asset === 'eth' ? amount - fee() : amount);
    return 2;
  };

  let ci = 0;
  let entryIndex = 0;
  while (ci < cases.length) {
    const group = cases.slice(ci, ci + r.int(1, 3));
    ci += group.length;
    const seed = seeds[entryIndex++ % seeds.length];
    const entry = fresh();
    const funded = 10 + r.int(0, 120);
    let sent = 0;
    for (const c of group) {
      c.asset = c.kind === 'token-gas' || c.kind === 'token-forward' || (c.kind === 'batched' && r.next() < 0.5) ? 'tok' : 'eth';
      c.amount = c.asset === 'eth' ? eth() : tok();
      // Depth: the entry pays the target directly, or through one or two forwarders (peel chains start at hop 2).
      const roll = r.next();
      c.mids = c.kind === 'peel-chain' ? 0 : roll < 0.5 ? 0 : roll < 0.85 ? 1 : 2;
    }
    const need = (asset) => group.filter((c) => c.asset === asset).reduce((s, c) => s + c.amount, 0n);
    // The entry keeps a little of what it got: it is a laundering wallet, not a forwarder to one place.
    if (need('eth') > 0n) pay(funded, seed, entry, 'eth', need('eth') + 10n ** 17n);
    if (need('tok') > 0n) pay(funded, seed, entry, 'tok', need('tok') + 10n ** 6n);
    for (const c of group) {
      let from = entry;
      let block = funded + r.int(2, 20) + sent++;
      for (let m = 0; m < c.mids; m++) {
        const mid = fresh();
        pay(block, from, mid, c.asset, c.amount);
        from = mid;
        block += r.int(2, 20);
      }
      const hop = 2 + c.mids;
      const A = block; // the traced arrival at the target
      const X = c.amount;
      const t = c.kind === 'peel-chain' ? null : fresh();
      if (t) pay(A, from, t, c.asset, X);
      switch (c.kind) {
        case 'sweep':
        case 'late-sweep': {
          const h = hot();
          const delay = () => (c.kind === 'sweep' ? r.int(3, 250) : r.int(400, 3000));
          const sweepOnce = (at, amount) => {
            const S = at + delay();
            pay(S, t, h.address, 'eth', amount - fee());
            return S;
          };
          const cycles = reuse(t, 'eth', sweepOnce(A, X), sweepOnce);
          target(c, t, hop, { entity: h.entity, cycles });
          break;
        }
        case 'token-gas': {
          const h = hot();
          const sweepOnce = (at, amount) => {
            const G = at + r.int(1, 100);
            pay(G, h.address, t, 'eth', BigInt(r.int(1, 5)) * 10n ** 15n);
            const S = G + r.int(1, 30);
            pay(S, t, h.address, 'tok', amount);
            return S;
          };
          const cycles = reuse(t, 'tok', sweepOnce(A, X), sweepOnce);
          target(c, t, hop, { entity: h.entity, cycles });
          break;
        }
        case 'batched': {
          contracts.push(t);
          const h = sweepers[r.int(0, 2)];
          const key = `${h.address}|${c.asset}`;
          const list = batches.get(key) ?? [];
          list.push({ address: t, amount: X, arrival: A });
          batches.set(key, list);
          // Its later cycles are swept by sweeper calls of their own, after the batch (at most 200 blocks
          // after the last arrival of its group, see below): the next payment comes after that.
          const sweepOnce = (at, amount) => {
            const S = at + r.int(3, 200);
            txs.push({ block: S, type: 'sweep', asset: c.asset, hot: h.address, wallets: [t], amounts: [amount] });
            return S;
          };
          const cycles = reuse(t, c.asset, A + 2000, sweepOnce);
          target(c, t, hop, { entity: h.entity, cycles });
          break;
        }
        case 'dust': {
          const h = hot();
          const sweepOnce = (at, amount) => {
            const S = at + r.int(3, 250);
            const leftBps = BigInt(r.int(30, 500));
            pay(S, t, h.address, 'eth', amount - (amount * leftBps) / 10_000n);
            return S;
          };
          const cycles = reuse(t, 'eth', sweepOnce(A, X), sweepOnce);
          target(c, t, hop, { entity: h.entity, cycles });
          break;
        }
        case 'several-customers': {
          const h = hot();
          const S = A + r.int(20, 250);
          let total = X;
          const k = r.int(1, 3);
          for (let i = 0; i < k; i++) {
            const customer = fresh();
            const amount = eth();
            balances.set(customer, amount + 10n ** 18n);
            const when = i === 0 && r.next() < 0.5 ? Math.max(1, A - r.int(1, 40)) : r.int(A + 1, S - 1);
            pay(when, customer, t, 'eth', amount);
            total += amount;
          }
          pay(S, t, h.address, 'eth', total - fee());
          const cycles = reuse(t, 'eth', S, (at, amount) => {
            const next = at + r.int(20, 250);
            pay(next, t, h.address, 'eth', amount - fee());
            return next;
          });
          target(c, t, hop, { entity: h.entity, cycles });
          break;
        }
        case 'peel-chain': {
          const length = r.int(1, 3); // hops 2 … 1 + length
          let holder = fresh();
          pay(A, from, holder, 'eth', X);
          let amount = X;
          let at = A;
          for (let i = 0; i < length; i++) {
            const h = hot();
            const send = at + r.int(2, 30);
            if (i === length - 1) {
              const v = uniqueVenue();
              pay(send, holder, v.address, 'eth', amount - fee());
              const cycles = forwardAgain(holder, 'eth', send, v.address);
              target({ truth: 'decoy', kind: 'peel-end' }, holder, hop + i, { venue: v.address, venueHop: hop + i + 1, entity: v.entity, cycles });
              break;
            }
            const peel = (amount * BigInt(r.int(500, 2500))) / 10_000n;
            const next = fresh();
            // One fee draw for what is paid and what the next holder is known to hold (two draws had
            // let a holder be planned to pay more than it got).
            const rest = amount - peel - fee();
            pay(send, holder, h.address, 'eth', peel);
            pay(send, holder, next, 'eth', rest);
            target({ truth: 'decoy', kind: 'peel-hop' }, holder, hop + i, { entity: h.entity });
            amount = rest;
            holder = next;
            at = send;
          }
          break;
        }
        case 'token-forward': {
          const v = uniqueVenue();
          const G = A + r.int(1, 100);
          pay(G, wallet('eth', 0n), t, 'eth', BigInt(r.int(1, 5)) * 10n ** 15n);
          const F = G + r.int(1, 30);
          pay(F, t, v.address, 'tok', X);
          const cycles = forwardAgain(t, 'tok', F, v.address);
          target(c, t, hop, { venue: v.address, venueHop: hop + 1, entity: v.entity, cycles });
          break;
        }
        case 'forward-to-deposit': {
          const h = hot();
          const labelled = fresh();
          // `role` anticipates label roles (issue 11 item 4): what the address is to its venue.
          userLabels.push({ ...h, address: labelled, origin: 'user', role: 'deposit', source: 'bench: user label on a generated deposit address' });
          const F = A + r.int(2, 40);
          const forwarded = X - fee();
          pay(F, t, labelled, 'eth', forwarded);
          pay(F + r.int(5, 200), labelled, h.address, 'eth', forwarded - fee());
          target(c, t, hop, { venue: labelled, venueHop: hop + 1, entity: h.entity });
          break;
        }
        case 'otc-desk': {
          const h = hot();
          balances.set(t, BigInt(r.int(100, 1000)) * 10n ** 18n);
          const clients = [];
          for (let i = 0, n = r.int(4, 8); i < n; i++) {
            const client = fresh();
            const amount = eth();
            balances.set(client, amount + 10n ** 18n);
            pay(r.int(Math.max(1, A - 100), A + 150), client, t, 'eth', amount);
            clients.push(amount);
          }
          // The desk sells in lumps: the traced client's coins with some others', not one payment each.
          const lump = clients.slice(0, r.int(2, 4)).reduce((s, a) => s + a, X);
          pay(A + r.int(30, 200), t, h.address, 'eth', lump);
          for (let i = 0, n = r.int(2, 4); i < n; i++) pay(A + r.int(1, 300), t, fresh(), 'eth', eth());
          target(c, t, hop, { entity: h.entity });
          break;
        }
        case 'payment-processor': {
          const h = hot();
          balances.set(t, 20n * 10n ** 18n); // float for merchant payouts
          const S = A + r.int(200, 3000);
          let received = X;
          for (let i = 0, n = r.int(6, 15); i < n; i++) {
            const customer = fresh();
            const amount = BigInt(r.int(1, 200)) * 10n ** 16n;
            balances.set(customer, amount + 10n ** 18n);
            const when = r.int(Math.max(funded + 1, A - 1500), S - 1);
            pay(when, customer, t, 'eth', amount);
            received += amount;
          }
          for (let i = 0, n = r.int(1, 3); i < n; i++) pay(r.int(A + 1, S + 300), t, fresh(), 'eth', BigInt(r.int(1, 5)) * 10n ** 18n);
          // Settlement of the period, the processor's fee kept.
          pay(S, t, h.address, 'eth', (received * 97n) / 100n);
          target(c, t, hop, { entity: h.entity });
          break;
        }
        default:
          throw new Error(`depositChain: unknown kind ${c.kind}`);
      }
    }
  }
  // Batched sweeps: groups of 3–5 of one exchange and asset, after the group's last arrival.
  for (const [key, list] of batches) {
    const [hotAddress, asset] = key.split('|');
    for (let i = 0; i < list.length; ) {
      const group = list.slice(i, i + r.int(3, 5));
      i += group.length;
      const last = Math.max(...group.map((g) => g.arrival));
      txs.push({ block: last + r.int(3, 200), type: 'sweep', asset, hot: hotAddress, wallets: group.map((g) => g.address), amounts: group.map((g) => g.amount) });
    }
  }
  // Operators of the sweeper contract: one per exchange, as exchanges run their own.
  const operators = Object.fromEntries(sweepers.map((h) => [h.address, r.address()]));
  // The exchange's other customers: a hot wallet is where an exchange empties all its deposit addresses,
  // so it is paid by one sweep after another all day long (a large exchange's several a block). Each
  // exchange here gets one every 1–2×`gap` blocks, `gap` drawn per exchange from 10 to 120 (2 to 24
  // minutes: a quiet exchange's pace, far below a large one's), from deposit addresses outside the
  // trace, each swept in full less the fee. Drawn after everything else, so a seed's traced cases are the
  // same as in generator 3. The decoys' venues get none: an exchange address that only a launderer's
  // wallet pays is what a customer's deposit address labelled with its venue looks like.
  let background = 0;
  const planned = Math.max(...txs.map((t) => t.block));
  for (const h of sweepers) {
    const gap = r.int(10, 120);
    for (let at = r.int(1, gap); at <= planned + 300; at += r.int(gap, 2 * gap)) {
      const dep = r.address();
      const amount = eth();
      balances.set(dep, amount);
      pay(at, dep, h.address, 'eth', amount - fee());
      background++;
    }
  }
  const lastBlock = Math.max(...txs.map((t) => t.block));
  return { seeds, txs, balances, mints, contracts, truth, userLabels, operators, lastBlock, addresses, background, hops: DEPOSIT_HOPS };
}

/** Builds the planned chain on a fresh anvil and dumps it to `statePath`; returns its info. */
async function build(scale, seed, statePath, log) {
  const p = depositPlan(scale, seed);
  const tmp = statePath + '.tmp';
  // No historical states: the build reads only the latest, and keeping one per block made a chain of
  // ten thousand blocks take minutes to build.
  const anvil = await startBuildAnvil(tmp, ['--prune-history']);
  try {
    const { call, deployer, nonce, send, mine } = await chainBuilder(anvil.url);
    const deploy = async (data) => {
      const tx = await send({ from: deployer, gas: hex(3_000_000), data });
      await mine();
      return (await call('eth_getTransactionReceipt', [tx])).contractAddress.toLowerCase();
    };
    const tokenAddress = await deploy(getArtifact('TestToken').bytecode + tokenAbi.encodeDeploy(['Bench USD', 'BUSD', 6]).slice(2));
    const proto = await deploy(artifacts.BenchWallet.bytecode);
    const sweeper = await deploy(artifacts.BenchSweeper.bytecode);
    const code = await call('eth_getCode', [proto, 'latest']);
    for (const a of p.contracts) await call('anvil_setCode', [a, code]);
    for (const [a, wei] of p.balances) await call('anvil_setBalance', [a, hex(wei)]);
    for (const op of Object.values(p.operators)) await call('anvil_setBalance', [op, hex(10n ** 20n)]);
    for (const [a, units] of p.mints) await send({ from: deployer, to: tokenAddress, gas: hex(200_000), data: tokenAbi.encodeFunctionData('mint', [a, units]) });
    const base = await mine();

    const byBlock = new Map();
    for (const t of p.txs) byBlock.set(t.block, [...(byBlock.get(t.block) ?? []), t]);
    const encode = (t) => {
      if (t.type === 'eth') return { from: t.from, to: t.to, value: hex(t.amount), gas: hex(60_000) };
      if (t.type === 'token') return { from: t.from, to: tokenAddress, gas: hex(120_000), data: tokenAbi.encodeFunctionData('transfer', [t.to, t.amount]) };
      const data =
        t.asset === 'eth'
          ? sweeperAbi.encodeFunctionData('sweep', [t.wallets, t.hot, t.amounts])
          : sweeperAbi.encodeFunctionData('sweepToken', [t.wallets, tokenAddress, t.hot, t.amounts]);
      return { from: p.operators[t.hot], to: sweeper, gas: hex(100_000 + 100_000 * t.wallets.length), data };
    };
    let current = base;
    let transactions = 0;
    for (const b of [...byBlock.keys()].sort((x, y) => x - y)) {
      // Empty blocks between planned ones are mined in one call: time passes, nothing is sent.
      const gap = base + b - current - 1;
      if (gap > 0) await call('anvil_mine', [hex(gap)]);
      const list = byBlock.get(b);
      const signed = [];
      for (const t of list) signed.push({ gasPrice: '0x0', ...encode(t), nonce: await nonce(encode(t).from) });
      await Promise.all(signed.map((tx) => call('eth_sendTransaction', [tx])));
      transactions += list.length;
      current = await mine();
    }
    const info = {
      generator: DEPOSIT_GENERATOR_VERSION,
      scale,
      seed,
      anvil: anvilVersion(),
      chainId: CHAIN_ID,
      seeds: p.seeds,
      hops: p.hops,
      token: tokenAddress,
      addresses: p.addresses,
      backgroundSweeps: p.background,
      firstBlock: base + 1,
      head: current,
      transactions,
      userLabels: p.userLabels,
      truth: p.truth,
    };
    log(`  deposit chain (scale ${scale}, seed ${seed}): ${transactions} transactions up to block ${current}`);
    await anvil.stop();
    renameSync(tmp, statePath);
    return info;
  } finally {
    await anvil.stop();
  }
}

/** The cached deposit chain of this scale and seed (built first if missing): { statePath, info, cached }. */
export async function ensureDepositChain(scale, seed = 0, log = () => {}) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const key = `deposits-g${DEPOSIT_GENERATOR_VERSION}-s${scale}${seed === 0 ? '' : `-r${seed}`}-anvil${anvilVersion()}`;
  const statePath = join(CACHE_DIR, `${key}.json`);
  const infoPath = join(CACHE_DIR, `${key}.info.json`);
  if (existsSync(statePath) && existsSync(infoPath)) return { statePath, info: JSON.parse(readFileSync(infoPath, 'utf8')), cached: true };
  log(`building the deposit bench chain, scale ${scale}, seed ${seed} (cached in ${CACHE_DIR})`);
  const info = await build(scale, seed, statePath, log);
  writeFileSync(infoPath, JSON.stringify(info, null, 2) + '\n');
  return { statePath, info, cached: false };
}
