/**
 * Schema migrations, applied in order; `PRAGMA user_version` is the number applied. Never edit a
 * released step: add a new one.
 */
/** Hex digits of a transaction hash its key holds (txs_key, migration 10): 48 bits. */
export const TX_KEY_DIGITS = 12;

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  -- Every value movement seen, whichever query found it. (chain_id, tx_hash, ref) is the identity of a
  -- movement, so the same transfer found from both ends, or by two sources, is stored once.
  CREATE TABLE transfers (
    chain_id     INTEGER NOT NULL,
    tx_hash      TEXT    NOT NULL,
    ref          TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('native', 'internal', 'erc20', 'wrap', 'unwrap')),
    block_number INTEGER NOT NULL,
    block_hash   TEXT    NOT NULL,
    tx_index     INTEGER NOT NULL,
    from_addr    TEXT    NOT NULL,
    to_addr      TEXT    NOT NULL,
    asset        TEXT    NOT NULL,
    amount       TEXT    NOT NULL,
    PRIMARY KEY (chain_id, tx_hash, ref)
  ) WITHOUT ROWID;
  CREATE INDEX transfers_from ON transfers (from_addr, block_number);
  CREATE INDEX transfers_to ON transfers (to_addr, block_number);
  CREATE INDEX transfers_block ON transfers (block_number);

  -- Block ranges already fetched, per (address, source); address '*' for block scans that saw every
  -- address. Written in the same transaction as the rows they cover.
  CREATE TABLE intervals (
    chain_id   INTEGER NOT NULL,
    address    TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    from_block INTEGER NOT NULL,
    to_block   INTEGER NOT NULL,
    PRIMARY KEY (chain_id, address, source, from_block)
  ) WITHOUT ROWID;

  CREATE TABLE blocks (
    chain_id  INTEGER NOT NULL,
    number    INTEGER NOT NULL,
    hash      TEXT    NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (chain_id, number)
  ) WITHOUT ROWID;

  -- Token metadata read with eth_call; NULLs are stored too (a contract that does not answer is not
  -- asked again).
  CREATE TABLE tokens (
    chain_id INTEGER NOT NULL,
    address  TEXT    NOT NULL,
    symbol   TEXT,
    decimals INTEGER,
    PRIMARY KEY (chain_id, address)
  ) WITHOUT ROWID;
  `,
  `
  -- Labels the user added or imported (hoptrace labels add / import). They override the bundled
  -- labels for the same address; the bundled files are never edited. chain is a label-chain name
  -- (ethereum, bsc, …) or 'evm' (every EVM chain), not a chain id: a database holds user labels
  -- before any RPC has bound it to a chain. Dates are YYYY-MM-DD (UTC); added_at is an ISO time.
  CREATE TABLE user_labels (
    address      TEXT NOT NULL CHECK (length(address) = 42 AND address = lower(address)),
    chain        TEXT NOT NULL,
    entity       TEXT NOT NULL,
    category     TEXT NOT NULL,
    jurisdiction TEXT,
    risk         TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source <> ''),
    listed_at    TEXT,
    delisted_at  TEXT,
    valid_from   TEXT,
    valid_to     TEXT,
    added_at     TEXT NOT NULL,
    origin_file  TEXT,
    PRIMARY KEY (address, chain)
  ) WITHOUT ROWID;
  `,
  `
  -- Exchange deposit addresses hoptrace inferred (trace/deposits.ts): inferences with their evidence,
  -- not sourced labels, and never written to data/. Keyed by chain id: the evidence is that chain's
  -- transactions. Amounts are exact decimal strings; sweep_txs is a space-separated list.
  CREATE TABLE deposit_addresses (
    chain_id      INTEGER NOT NULL,
    address       TEXT    NOT NULL CHECK (length(address) = 42 AND address = lower(address)),
    entity        TEXT    NOT NULL,
    hot_wallet    TEXT    NOT NULL,
    asset         TEXT    NOT NULL,
    arrival_tx    TEXT    NOT NULL,
    arrival_block INTEGER NOT NULL,
    sweep_txs     TEXT    NOT NULL,
    sweep_block   INTEGER NOT NULL,
    delay_blocks  INTEGER NOT NULL,
    received      TEXT    NOT NULL,
    swept         TEXT    NOT NULL,
    share_bps     INTEGER NOT NULL,
    senders       INTEGER NOT NULL,
    confidence    TEXT    NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    reasons       TEXT    NOT NULL,
    learned_at    TEXT    NOT NULL,
    PRIMARY KEY (chain_id, address)
  ) WITHOUT ROWID;

  -- Transaction counts (nonces) read for the hub pre-check, so a re-run does not ask again. A nonce
  -- only grows: a stale one can only miss a hub, which the degree check after fetching still catches.
  CREATE TABLE account_nonces (
    chain_id INTEGER NOT NULL,
    address  TEXT    NOT NULL,
    nonce    INTEGER NOT NULL,
    PRIMARY KEY (chain_id, address)
  ) WITHOUT ROWID;
  `,
  `
  -- One row per finished trace run: what was asked (seeds, parameters, block range), against what
  -- (chain, the endpoint redacted, the label data's version and sha256, the tool's version), and the
  -- report it gave (the JSON document of schema/trace-report.schema.json). hoptrace report,
  -- export and path work from these rows and the transfers alone, without an RPC.
  CREATE TABLE trace_runs (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at         TEXT    NOT NULL,
    chain_id           INTEGER NOT NULL,
    tool_version       TEXT    NOT NULL,
    rpc                TEXT    NOT NULL,
    from_block         INTEGER NOT NULL,
    to_block           INTEGER NOT NULL,
    label_data_version TEXT    NOT NULL,
    label_data_sha256  TEXT    NOT NULL,
    user_labels        INTEGER NOT NULL,
    seeds              TEXT    NOT NULL,
    params             TEXT    NOT NULL,
    result             TEXT    NOT NULL
  );
  `,
  `
  -- What a user label's address is to its venue (labels add --role, import column role): hot-wallet,
  -- deposit (a customer deposit address), cold-wallet, contract, or unknown (rows from before this
  -- step, and labels that do not say).
  ALTER TABLE user_labels ADD COLUMN role TEXT NOT NULL DEFAULT 'unknown'
    CHECK (role IN ('hot-wallet', 'deposit', 'cold-wallet', 'contract', 'unknown'));
  `,
  `
  -- The movements a trace run's walk followed, each once with the hop it was first followed at: the one
  -- traced graph that report, export and attribution draw (a run's graph is not re-derived from the
  -- transfers, which other runs add to). edges_recorded tells a run with no edge from a run recorded
  -- before this table existed.
  CREATE TABLE trace_run_edges (
    run_id  INTEGER NOT NULL REFERENCES trace_runs (id),
    tx_hash TEXT    NOT NULL,
    ref     TEXT    NOT NULL,
    hop     INTEGER NOT NULL,
    PRIMARY KEY (run_id, tx_hash, ref)
  ) WITHOUT ROWID;
  ALTER TABLE trace_runs ADD COLUMN edges_recorded INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Integer ids (issue 15: ingest at SQLite's pace). Every address, asset ('native' or a token contract)
  -- and transaction hash is stored once, in a rowid table with a unique index on its text, and the
  -- movements refer to them by integer: a movement row is a third of the size, its indexes hold integers,
  -- and it is appended in rowid order instead of landing at a random hash key of a WITHOUT ROWID table.
  -- Ids are never reused or deleted (a rollback removes movements, not the names they point to), so a
  -- writer may keep the ids it has committed in memory.
  CREATE TABLE addresses (
    id      INTEGER PRIMARY KEY,
    address TEXT    NOT NULL UNIQUE
  );
  CREATE TABLE assets (
    id    INTEGER PRIMARY KEY,
    asset TEXT    NOT NULL UNIQUE
  );
  CREATE TABLE txs (
    id   INTEGER PRIMARY KEY,
    hash TEXT    NOT NULL UNIQUE
  );
  -- The movements. Identity is still (chain_id, tx_hash, ref): the unique index transfer_rows_identity.
  -- No foreign key clauses: the store writes the ids it has just read or made, and a foreign key check
  -- would cost a lookup per id per row.
  CREATE TABLE transfer_rows (
    id           INTEGER PRIMARY KEY,
    chain_id     INTEGER NOT NULL,
    tx           INTEGER NOT NULL,
    ref          TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('native', 'internal', 'erc20', 'wrap', 'unwrap')),
    block_number INTEGER NOT NULL,
    block_hash   TEXT    NOT NULL,
    tx_index     INTEGER NOT NULL,
    from_id      INTEGER NOT NULL,
    to_id        INTEGER NOT NULL,
    asset_id     INTEGER NOT NULL,
    amount       TEXT    NOT NULL
  );

  INSERT INTO addresses (address) SELECT from_addr FROM transfers UNION SELECT to_addr FROM transfers;
  INSERT INTO assets (asset) SELECT DISTINCT asset FROM transfers ORDER BY asset;
  INSERT INTO txs (hash) SELECT tx_hash FROM transfers GROUP BY tx_hash ORDER BY min(block_number), tx_hash;
  INSERT INTO transfer_rows
    (chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount)
    SELECT t.chain_id, x.id, t.ref, t.kind, t.block_number, t.block_hash, t.tx_index, f.id, o.id, a.id, t.amount
    FROM transfers t
    JOIN txs x ON x.hash = t.tx_hash
    JOIN addresses f ON f.address = t.from_addr
    JOIN addresses o ON o.address = t.to_addr
    JOIN assets a ON a.asset = t.asset
    ORDER BY t.block_number, t.tx_index, t.ref;
  DROP TABLE transfers;

  -- The indexes the reads use, and no more (each checked with EXPLAIN QUERY PLAN in test/store.test.ts):
  -- identity (commit's INSERT OR IGNORE, transfer, hasTransfer), out of and into an address within a
  -- block range (transfersOf), and the few wrap/unwrap rows (wrapAssets). A block-range read
  -- (transfersInRange) is a run's whole range, read in rowid order; a rollback above a block (a reorg)
  -- is rare: both scan the table rather than keep a block index every insert pays for.
  CREATE UNIQUE INDEX transfer_rows_identity ON transfer_rows (tx, ref, chain_id);
  CREATE INDEX transfer_rows_from ON transfer_rows (from_id, block_number);
  CREATE INDEX transfer_rows_to ON transfer_rows (to_id, block_number);
  CREATE INDEX transfer_rows_wrap ON transfer_rows (chain_id, asset_id) WHERE kind IN ('wrap', 'unwrap');

  -- The movements with their text values, under the table's old name and columns: what a user querying
  -- the file with sqlite3 (and the repair, and tests) reads and edits. Writes through it go to the id
  -- tables by the triggers below; the store's own commit writes transfer_rows directly.
  CREATE VIEW transfers AS
    SELECT t.chain_id AS chain_id, x.hash AS tx_hash, t.ref AS ref, t.kind AS kind, t.block_number AS block_number,
      t.block_hash AS block_hash, t.tx_index AS tx_index, f.address AS from_addr, o.address AS to_addr,
      a.asset AS asset, t.amount AS amount
    FROM transfer_rows t
    JOIN txs x ON x.id = t.tx
    JOIN addresses f ON f.id = t.from_id
    JOIN addresses o ON o.id = t.to_id
    JOIN assets a ON a.id = t.asset_id;
  CREATE TRIGGER transfers_insert INSTEAD OF INSERT ON transfers BEGIN
    INSERT OR IGNORE INTO txs (hash) VALUES (NEW.tx_hash);
    INSERT OR IGNORE INTO addresses (address) VALUES (NEW.from_addr), (NEW.to_addr);
    INSERT OR IGNORE INTO assets (asset) VALUES (NEW.asset);
    INSERT INTO transfer_rows
      (chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount)
      VALUES (NEW.chain_id, (SELECT id FROM txs WHERE hash = NEW.tx_hash), NEW.ref, NEW.kind, NEW.block_number,
        NEW.block_hash, NEW.tx_index, (SELECT id FROM addresses WHERE address = NEW.from_addr),
        (SELECT id FROM addresses WHERE address = NEW.to_addr), (SELECT id FROM assets WHERE asset = NEW.asset),
        NEW.amount);
  END;
  CREATE TRIGGER transfers_update INSTEAD OF UPDATE ON transfers BEGIN
    INSERT OR IGNORE INTO txs (hash) VALUES (NEW.tx_hash);
    INSERT OR IGNORE INTO addresses (address) VALUES (NEW.from_addr), (NEW.to_addr);
    INSERT OR IGNORE INTO assets (asset) VALUES (NEW.asset);
    UPDATE transfer_rows SET chain_id = NEW.chain_id, tx = (SELECT id FROM txs WHERE hash = NEW.tx_hash), ref = NEW.ref,
      kind = NEW.kind, block_number = NEW.block_number, block_hash = NEW.block_hash, tx_index = NEW.tx_index,
      from_id = (SELECT id FROM addresses WHERE address = NEW.from_addr),
      to_id = (SELECT id FROM addresses WHERE address = NEW.to_addr),
      asset_id = (SELECT id FROM assets WHERE asset = NEW.asset), amount = NEW.amount
    WHERE tx = (SELECT id FROM txs WHERE hash = OLD.tx_hash) AND ref = OLD.ref AND chain_id = OLD.chain_id;
  END;
  CREATE TRIGGER transfers_delete INSTEAD OF DELETE ON transfers BEGIN
    DELETE FROM transfer_rows WHERE tx = (SELECT id FROM txs WHERE hash = OLD.tx_hash) AND ref = OLD.ref AND chain_id = OLD.chain_id;
  END;
  `,
  `
  -- Watches (issue 17: hoptrace watch). A watch is one case followed as blocks arrive: its seeds and trace
  -- parameters (key: their canonical JSON, so the same command finds its watch again after a restart),
  -- the block its first trace reached (baseline: movements up to it are the case, not news), and its
  -- progress (last processed block and hash) with the RPC calls its polls made after the baseline.
  CREATE TABLE watches (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL UNIQUE,
    chain_id       INTEGER NOT NULL,
    params         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    baseline_block INTEGER NOT NULL,
    last_block     INTEGER NOT NULL,
    last_hash      TEXT    NOT NULL,
    polls          INTEGER NOT NULL DEFAULT 0,
    blocks         INTEGER NOT NULL DEFAULT 0,
    calls          TEXT    NOT NULL DEFAULT '{}',
    run_id         INTEGER
  );
  -- One alert per traced movement that reached a venue, crossed a bridge or passed the threshold, in the
  -- block it was seen in (a movement re-mined in another block after a reorg is another alert). state:
  -- unfinal (newer than head - confirmations), final, or withdrawn (its block was replaced).
  CREATE TABLE watch_alerts (
    watch_id     INTEGER NOT NULL REFERENCES watches (id),
    id           TEXT    NOT NULL,
    block_number INTEGER NOT NULL,
    block_hash   TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('unfinal', 'final', 'withdrawn')),
    body         TEXT    NOT NULL,
    PRIMARY KEY (watch_id, id)
  ) WITHOUT ROWID;
  -- The events to deliver (an alert, its confirmation or withdrawal), written with the alert's state in
  -- one transaction, then marked as each channel delivers them: a restart delivers what is left and never
  -- repeats what was marked. A channel not asked for when the event was made is 'none'.
  CREATE TABLE watch_events (
    seq           INTEGER PRIMARY KEY,
    watch_id      INTEGER NOT NULL REFERENCES watches (id),
    alert_id      TEXT    NOT NULL,
    type          TEXT    NOT NULL CHECK (type IN ('alert', 'final', 'withdrawal')),
    body          TEXT    NOT NULL,
    printed       INTEGER NOT NULL DEFAULT 0,
    exec_state    TEXT    NOT NULL CHECK (exec_state IN ('none', 'pending', 'done', 'failed')),
    webhook_state TEXT    NOT NULL CHECK (webhook_state IN ('none', 'pending', 'done', 'failed')),
    webhook_tries INTEGER NOT NULL DEFAULT 0,
    UNIQUE (watch_id, alert_id, type)
  );
  `,
  `
  -- Migration 9 (issue 16 item 4): DEX swaps of traced addresses.
  -- swap_checks: the (transaction, holder) pairs whose receipt was read for Swap events, found or not,
  -- so a rerun does not ask again. conversions: what a holder paid into a DEX route and got out of it in
  -- one transaction (legs: the pools' Swap events, JSON with decimal-string amounts). pool_tokens: a
  -- pool's token0()/token1(), read once.
  CREATE TABLE swap_checks (
    chain_id     INTEGER NOT NULL,
    tx_hash      TEXT NOT NULL,
    holder       TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    PRIMARY KEY (chain_id, tx_hash, holder)
  ) WITHOUT ROWID;
  CREATE TABLE conversions (
    chain_id     INTEGER NOT NULL,
    tx_hash      TEXT NOT NULL,
    holder       TEXT NOT NULL,
    ref          TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    block_hash   TEXT NOT NULL,
    tx_index     INTEGER NOT NULL,
    asset_in     TEXT NOT NULL,
    amount_in    TEXT NOT NULL,
    asset_out    TEXT NOT NULL,
    amount_out   TEXT NOT NULL,
    legs         TEXT NOT NULL,
    PRIMARY KEY (chain_id, tx_hash, holder)
  ) WITHOUT ROWID;
  CREATE INDEX conversions_block ON conversions (chain_id, block_number);
  CREATE TABLE pool_tokens (
    chain_id INTEGER NOT NULL,
    pool     TEXT NOT NULL,
    token0   TEXT,
    token1   TEXT,
    PRIMARY KEY (chain_id, pool)
  ) WITHOUT ROWID;
  `,
  `
  -- Migration 10. Transaction ids found by a short key (issue 15: ingest at SQLite's pace). The unique index on the full
  -- 66-character hash held a random key of some 70 bytes per transaction: at a million transactions it
  -- outgrew the page cache, and every commit rewrote thousands of its pages to the log (the ingest bench
  -- wrote 7.6 GB for 1M movements, two thirds of it for that index). txs now keeps the hash in the table
  -- and indexes 12 hex digits of it (key, a virtual column: computed, not stored in the table), about
  -- a quarter of the size; a lookup compares the full hash, so two hashes sharing a key stay two rows. Each
  -- hash is stored once because every writer looks it up before adding it, inside its write
  -- transaction: the store's commit, and the triggers of the transfers view below. The table is made again under its own name (the view transfers reads it by name, and a rename would
  -- carry the view along to the old table), its ids kept.
  CREATE TABLE txs_copy (id INTEGER PRIMARY KEY, hash TEXT NOT NULL);
  INSERT INTO txs_copy (id, hash) SELECT id, hash FROM txs ORDER BY id;
  DROP TABLE txs;
  CREATE TABLE txs (
    id   INTEGER PRIMARY KEY,
    hash TEXT    NOT NULL,
    key  GENERATED ALWAYS AS (substr(hash, 3, 12)) VIRTUAL
  );
  INSERT INTO txs (id, hash) SELECT id, hash FROM txs_copy ORDER BY id;
  DROP TABLE txs_copy;
  CREATE INDEX txs_key ON txs (key);

  -- The view's triggers as schema 7 made them, a transaction found by its key and added only when absent.
  DROP TRIGGER transfers_insert;
  DROP TRIGGER transfers_update;
  DROP TRIGGER transfers_delete;
  CREATE TRIGGER transfers_insert INSTEAD OF INSERT ON transfers BEGIN
    INSERT INTO txs (hash) SELECT NEW.tx_hash
      WHERE NOT EXISTS (SELECT 1 FROM txs WHERE key = substr(NEW.tx_hash, 3, 12) AND hash = NEW.tx_hash);
    INSERT OR IGNORE INTO addresses (address) VALUES (NEW.from_addr), (NEW.to_addr);
    INSERT OR IGNORE INTO assets (asset) VALUES (NEW.asset);
    INSERT INTO transfer_rows
      (chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount)
      VALUES (NEW.chain_id, (SELECT id FROM txs WHERE key = substr(NEW.tx_hash, 3, 12) AND hash = NEW.tx_hash), NEW.ref,
        NEW.kind, NEW.block_number, NEW.block_hash, NEW.tx_index, (SELECT id FROM addresses WHERE address = NEW.from_addr),
        (SELECT id FROM addresses WHERE address = NEW.to_addr), (SELECT id FROM assets WHERE asset = NEW.asset),
        NEW.amount);
  END;
  CREATE TRIGGER transfers_update INSTEAD OF UPDATE ON transfers BEGIN
    INSERT INTO txs (hash) SELECT NEW.tx_hash
      WHERE NOT EXISTS (SELECT 1 FROM txs WHERE key = substr(NEW.tx_hash, 3, 12) AND hash = NEW.tx_hash);
    INSERT OR IGNORE INTO addresses (address) VALUES (NEW.from_addr), (NEW.to_addr);
    INSERT OR IGNORE INTO assets (asset) VALUES (NEW.asset);
    UPDATE transfer_rows SET chain_id = NEW.chain_id,
      tx = (SELECT id FROM txs WHERE key = substr(NEW.tx_hash, 3, 12) AND hash = NEW.tx_hash), ref = NEW.ref,
      kind = NEW.kind, block_number = NEW.block_number, block_hash = NEW.block_hash, tx_index = NEW.tx_index,
      from_id = (SELECT id FROM addresses WHERE address = NEW.from_addr),
      to_id = (SELECT id FROM addresses WHERE address = NEW.to_addr),
      asset_id = (SELECT id FROM assets WHERE asset = NEW.asset), amount = NEW.amount
    WHERE tx = (SELECT id FROM txs WHERE key = substr(OLD.tx_hash, 3, 12) AND hash = OLD.tx_hash) AND ref = OLD.ref
      AND chain_id = OLD.chain_id;
  END;
  CREATE TRIGGER transfers_delete INSTEAD OF DELETE ON transfers BEGIN
    DELETE FROM transfer_rows WHERE tx = (SELECT id FROM txs WHERE key = substr(OLD.tx_hash, 3, 12) AND hash = OLD.tx_hash)
      AND ref = OLD.ref AND chain_id = OLD.chain_id;
  END;
  `,
  `
  -- Migration 11. The chain of each movement a run's walk followed (issue 16: a run across chains follows
  -- movements on every chain it has an endpoint for, and records them all). Rows recorded before are of the
  -- run's own chain (runs then recorded only their home chain's movements): they take trace_runs.chain_id.
  CREATE TABLE trace_run_edges_copy (
    run_id   INTEGER NOT NULL REFERENCES trace_runs (id),
    chain_id INTEGER NOT NULL,
    tx_hash  TEXT    NOT NULL,
    ref      TEXT    NOT NULL,
    hop      INTEGER NOT NULL,
    PRIMARY KEY (run_id, chain_id, tx_hash, ref)
  ) WITHOUT ROWID;
  INSERT INTO trace_run_edges_copy (run_id, chain_id, tx_hash, ref, hop)
    SELECT e.run_id, r.chain_id, e.tx_hash, e.ref, e.hop FROM trace_run_edges e JOIN trace_runs r ON r.id = e.run_id;
  DROP TABLE trace_run_edges;
  ALTER TABLE trace_run_edges_copy RENAME TO trace_run_edges;
  `,
];
