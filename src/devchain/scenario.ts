/**
 * A scenario builder for anvil: moves value between real addresses by impersonation (no private keys),
 * deploys the fixture contracts, and pins block timestamps, so a test or the demo build can write a
 * laundering story step by step. Every action waits for its receipt and throws if the transaction
 * reverted, so a story never silently loses a hop.
 *
 * Plain fetch JSON-RPC on purpose: one request at a time, no batching, no caching, nothing in between
 * that could reorder the steps.
 */
import { Interface } from 'ethers';
import { HoptraceError } from '../errors.js';
import type { Address, Hex } from '../types.js';
import { getArtifact, type ContractName } from './contracts.js';

/** Where an action landed. */
export interface TxResult {
  hash: Hex;
  blockNumber: number;
  blockHash: Hex;
  /** Block timestamp, seconds since the epoch. */
  timestamp: number;
}

/** A deployment: the transaction plus the new contract's address (lower-case). */
export interface DeployResult extends TxResult {
  address: Address;
}

/** A moment in time: seconds since the epoch, a Date, or an ISO 8601 string with a zone. */
export type When = number | Date | string;

/** Per-action options. */
export interface ActionOptions {
  /** Timestamp of the block this action is mined in (evm_setNextBlockTimestamp before sending). */
  at?: When;
}

/** Options of `createScenario`. */
export interface ScenarioOptions {
  /**
   * Gas price for every transaction (legacy pricing). 0 makes gas free, so balances move only by the
   * story's amounts; it needs a chain started with base fee 0 (`startAnvil({ baseFee: 0n })`).
   * Omitted: anvil prices the transaction itself.
   */
  gasPrice?: bigint;
  /** Sender of deployments, mints and poison calls; default: the node's first dev account. */
  deployer?: Address;
}

/** The scenario API; see createScenario. */
export interface Scenario {
  readonly url: string;
  /** One raw JSON-RPC call; throws a HoptraceError carrying the node's message. */
  rpc<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /** The account that deploys contracts and sends mints and poison calls. */
  deployer(): Promise<Address>;
  blockNumber(): Promise<number>;
  /** Native balance at the head. */
  balance(address: Address): Promise<bigint>;
  /** Sets a native balance (anvil_setBalance): an opening balance, not a transfer; no block is mined. */
  fund(address: Address, wei: bigint): Promise<void>;
  /** A plain native transfer `from` → `to`. */
  sendEth(from: Address, to: Address, wei: bigint, opts?: ActionOptions): Promise<TxResult>;
  /** Deploys a fixture contract with constructor `args`, from `from` (default: the deployer). */
  deploy(name: ContractName, args?: readonly unknown[], from?: Address, opts?: ActionOptions): Promise<DeployResult>;
  /** Calls any fixture-contract function as `from`, with optional native `value`. */
  invoke(
    name: ContractName,
    contract: Address,
    from: Address,
    fn: string,
    args?: readonly unknown[],
    value?: bigint,
    opts?: ActionOptions,
  ): Promise<TxResult>;
  /** Reads a view function of a fixture contract at the head; returns the first output. */
  read(name: ContractName, contract: Address, fn: string, args?: readonly unknown[]): Promise<unknown>;
  /** TestToken.mint, sent by the deployer (the token's owner). */
  mintToken(token: Address, to: Address, amount: bigint, opts?: ActionOptions): Promise<TxResult>;
  /** TestToken.transfer as `from`: one ERC-20 Transfer log. */
  tokenTransfer(token: Address, from: Address, to: Address, amount: bigint, opts?: ActionOptions): Promise<TxResult>;
  /** Forwarder.forward: `from` → forwarder (native), forwarder → `to` (internal). */
  forward(forwarder: Address, from: Address, to: Address, wei: bigint, opts?: ActionOptions): Promise<TxResult>;
  /** Forwarder.split: one native payment fanned out as several internal transfers. */
  split(
    forwarder: Address,
    from: Address,
    to: readonly Address[],
    amounts: readonly bigint[],
    opts?: ActionOptions,
  ): Promise<TxResult>;
  /** WrappedEther.deposit as `from`: a Deposit(dst, wad) log. */
  wrap(weth: Address, from: Address, wei: bigint, opts?: ActionOptions): Promise<TxResult>;
  /** WrappedEther.withdraw as `from`: a Withdrawal(src, wad) log and an internal transfer back. */
  unwrap(weth: Address, from: Address, wei: bigint, opts?: ActionOptions): Promise<TxResult>;
  /**
   * TestToken.poison: a forged Transfer(victimFrom, to, 0) log, sent by `sender` (default: the deployer),
   * as address-poisoning contracts do. The victim signs nothing.
   */
  poison(token: Address, victimFrom: Address, to: Address, opts?: ActionOptions & { sender?: Address }): Promise<TxResult>;
  /** Mines `n` empty blocks, `intervalSeconds` apart (default 12); returns the new head. */
  mine(n?: number, intervalSeconds?: number): Promise<number>;
  /** Timestamp of the next mined block (must be later than the head's). */
  setNextTimestamp(when: When): Promise<void>;
}

interface Receipt {
  status?: string;
  blockNumber: string;
  blockHash: string;
  contractAddress?: string | null;
}

const RECEIPT_TIMEOUT_MS = 60_000;

/**
 * A scenario over the JSON-RPC endpoint `url` of an anvil node.
 *
 * @example
 * const s = createScenario(anvil.url);
 * await s.fund(seed, 10n ** 21n);
 * const hop = await s.sendEth(seed, mule, 10n ** 20n, { at: '2025-02-21T15:48:23Z' });
 */
export function createScenario(url: string, options: ScenarioOptions = {}): Scenario {
  let nextId = 1;
  const impersonated = new Set<Address>();
  const interfaces = new Map<ContractName, Interface>();
  let deployerAddress: Address | undefined = options.deployer?.toLowerCase();

  async function rpc<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    let body: { result?: T; error?: { code?: number; message?: string; data?: unknown } };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      });
      body = (await res.json()) as typeof body;
    } catch (cause) {
      throw new HoptraceError(`${method} failed: the dev chain at ${url} did not answer`, { cause });
    }
    if (body.error) {
      throw new HoptraceError(`${method} failed: ${body.error.message ?? 'unknown error'}`, {
        hint: body.error.data === undefined ? undefined : `error data: ${JSON.stringify(body.error.data)}`,
      });
    }
    return body.result as T;
  }

  function iface(name: ContractName): Interface {
    let i = interfaces.get(name);
    if (!i) {
      i = new Interface(getArtifact(name).abi);
      interfaces.set(name, i);
    }
    return i;
  }

  async function deployer(): Promise<Address> {
    if (deployerAddress === undefined) {
      const accounts = await rpc<string[]>('eth_accounts');
      const first = accounts[0];
      if (!first) throw new HoptraceError('the dev chain has no accounts to deploy from; pass options.deployer');
      deployerAddress = first.toLowerCase();
    }
    return deployerAddress;
  }

  async function setNextTimestamp(when: When): Promise<void> {
    await rpc('evm_setNextBlockTimestamp', [toSeconds(when)]);
  }

  async function send(
    label: string,
    tx: { from: Address; to?: Address; value?: bigint; data?: Hex },
    opts: ActionOptions = {},
  ): Promise<TxResult & { receipt: Receipt }> {
    const from = tx.from.toLowerCase();
    if (!impersonated.has(from)) {
      await rpc('anvil_impersonateAccount', [from]);
      impersonated.add(from);
    }
    if (opts.at !== undefined) await setNextTimestamp(opts.at);
    const request: Record<string, string> = { from };
    if (tx.to !== undefined) request.to = tx.to.toLowerCase();
    if (tx.value !== undefined) request.value = toHex(tx.value);
    if (tx.data !== undefined) request.data = tx.data;
    if (options.gasPrice !== undefined) request.gasPrice = toHex(options.gasPrice);
    const hash = await rpc<string>('eth_sendTransaction', [request]);
    const receipt = await waitForReceipt(hash);
    if (receipt.status !== '0x1') {
      throw new HoptraceError(`${label} reverted (tx ${hash}, block ${Number(receipt.blockNumber)})`);
    }
    const block = await rpc<{ timestamp: string } | null>('eth_getBlockByNumber', [receipt.blockNumber, false]);
    return {
      hash: hash.toLowerCase(),
      blockNumber: Number(receipt.blockNumber),
      blockHash: receipt.blockHash.toLowerCase(),
      timestamp: block ? Number(block.timestamp) : 0,
      receipt,
    };
  }

  async function waitForReceipt(hash: string): Promise<Receipt> {
    // With automine the receipt exists at once; with --block-time it appears at the next block.
    const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
    for (;;) {
      const receipt = await rpc<Receipt | null>('eth_getTransactionReceipt', [hash]);
      if (receipt) return receipt;
      if (Date.now() > deadline) throw new HoptraceError(`transaction ${hash} was not mined within ${RECEIPT_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function invoke(
    name: ContractName,
    contract: Address,
    from: Address,
    fn: string,
    args: readonly unknown[] = [],
    value?: bigint,
    opts?: ActionOptions,
  ): Promise<TxResult> {
    const data = iface(name).encodeFunctionData(fn, args) as Hex;
    const { receipt: _receipt, ...result } = await send(`${name}.${fn}`, { from, to: contract, value, data }, opts);
    return result;
  }

  return {
    url,
    rpc,
    deployer,
    setNextTimestamp,
    invoke,

    async blockNumber() {
      return Number(await rpc<string>('eth_blockNumber'));
    },

    async balance(address) {
      return BigInt(await rpc<string>('eth_getBalance', [address.toLowerCase(), 'latest']));
    },

    async fund(address, wei) {
      await rpc('anvil_setBalance', [address.toLowerCase(), toHex(wei)]);
    },

    async sendEth(from, to, wei, opts) {
      const { receipt: _receipt, ...result } = await send(`sending ${wei} wei ${from} → ${to}`, { from, to, value: wei }, opts);
      return result;
    },

    async deploy(name, args = [], from, opts) {
      const artifact = getArtifact(name);
      const data = (artifact.bytecode + iface(name).encodeDeploy(args).slice(2)) as Hex;
      const { receipt, ...result } = await send(`deploying ${name}`, { from: from ?? (await deployer()), data }, opts);
      if (!receipt.contractAddress) throw new HoptraceError(`deploying ${name} gave no contract address (tx ${result.hash})`);
      return { ...result, address: receipt.contractAddress.toLowerCase() };
    },

    async read(name, contract, fn, args = []) {
      const i = iface(name);
      const data = i.encodeFunctionData(fn, args);
      const out = await rpc<string>('eth_call', [{ to: contract.toLowerCase(), data }, 'latest']);
      return i.decodeFunctionResult(fn, out)[0] as unknown;
    },

    async mintToken(token, to, amount, opts) {
      return invoke('TestToken', token, await deployer(), 'mint', [to, amount], undefined, opts);
    },

    tokenTransfer(token, from, to, amount, opts) {
      return invoke('TestToken', token, from, 'transfer', [to, amount], undefined, opts);
    },

    forward(forwarder, from, to, wei, opts) {
      return invoke('Forwarder', forwarder, from, 'forward', [to], wei, opts);
    },

    split(forwarder, from, to, amounts, opts) {
      const total = amounts.reduce((a, b) => a + b, 0n);
      return invoke('Forwarder', forwarder, from, 'split', [to, amounts], total, opts);
    },

    wrap(weth, from, wei, opts) {
      return invoke('WrappedEther', weth, from, 'deposit', [], wei, opts);
    },

    unwrap(weth, from, wei, opts) {
      return invoke('WrappedEther', weth, from, 'withdraw', [wei], undefined, opts);
    },

    async poison(token, victimFrom, to, opts = {}) {
      const sender = opts.sender ?? (await deployer());
      return invoke('TestToken', token, sender, 'poison', [victimFrom, to], undefined, opts);
    },

    async mine(n = 1, intervalSeconds = 12) {
      await rpc('anvil_mine', [toHex(BigInt(n)), toHex(BigInt(intervalSeconds))]);
      return Number(await rpc<string>('eth_blockNumber'));
    },
  };
}

/** Seconds since the epoch for a When; throws a HoptraceError on an unparseable string. */
export function toSeconds(when: When): number {
  if (typeof when === 'number') return Math.floor(when);
  const ms = when instanceof Date ? when.getTime() : Date.parse(when);
  if (Number.isNaN(ms)) throw new HoptraceError(`not a date: ${String(when)}`);
  return Math.floor(ms / 1000);
}

function toHex(n: bigint): string {
  return '0x' + n.toString(16);
}
