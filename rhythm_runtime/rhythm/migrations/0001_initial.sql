-- The durable runtime's tables. The schema `rhythm` and the table `rhythm.migrations` are
-- created by rhythm.migrate itself (it must read the table before it applies this file).
-- Values that flow back into workflows (inputs, outputs, payloads, snapshots) are `json`, never
-- `jsonb`: jsonb reorders object keys, and a workflow sees key order (LANGUAGE.md).

-- One row per compiled Program; executions pin the hash they started on.
CREATE TABLE rhythm.workflow_versions (
  hash text PRIMARY KEY,
  name text NOT NULL,
  program text NOT NULL,                       -- Program.to_json()
  seq bigserial NOT NULL,                      -- registration order: the newest wins
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workflow_versions_newest ON rhythm.workflow_versions (name, seq DESC);

-- Tasks and workflows alike; a workflow's children point at it through parent_id.
CREATE TABLE rhythm.executions (
  id text PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('task', 'workflow')),
  name text NOT NULL,
  queue text NOT NULL DEFAULT 'default',
  priority int NOT NULL DEFAULT 0,
  status text NOT NULL
    CHECK (status IN ('pending', 'running', 'suspended', 'completed', 'failed')),
  inputs json NOT NULL,
  output json,
  attempt int NOT NULL DEFAULT 0,              -- attempts started so far
  max_retries int NOT NULL DEFAULT 0,
  retry_delay_ms bigint NOT NULL DEFAULT 1000,
  timeout_ms bigint,                           -- per attempt, tasks only
  parent_id text REFERENCES rhythm.executions (id),
  idempotency_key text,
  version_hash text REFERENCES rhythm.workflow_versions (hash),   -- workflows only
  snapshot json,                               -- workflows only
  waiting_for json,                            -- workflows only
  error_location json,                         -- workflows only
  run_at timestamptz NOT NULL DEFAULT now(),   -- not claimable before (retry backoff)
  lease_owner text,
  lease_expires_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- The claim query's order; partial, so finished rows never slow it down.
CREATE INDEX executions_claimable ON rhythm.executions (queue, priority DESC, run_at, id)
  WHERE status = 'pending';
CREATE INDEX executions_leases ON rhythm.executions (lease_expires_at) WHERE status = 'running';
CREATE INDEX executions_children ON rhythm.executions (parent_id) WHERE parent_id IS NOT NULL;
-- A failed execution frees its key, so the same work can be submitted again.
CREATE UNIQUE INDEX executions_idempotency ON rhythm.executions (type, name, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND status <> 'failed';

CREATE TABLE rhythm.timers (
  id text PRIMARY KEY,                         -- the VM's timer record id
  execution_id text NOT NULL REFERENCES rhythm.executions (id),
  due_at timestamptz NOT NULL,
  fired boolean NOT NULL DEFAULT false
);
CREATE INDEX timers_due ON rhythm.timers (due_at) WHERE NOT fired;

-- Buffered FIFO per (execution, name): Signal.next claims the k-th row in seq order.
CREATE TABLE rhythm.signals (
  seq bigserial PRIMARY KEY,
  execution_id text NOT NULL REFERENCES rhythm.executions (id),
  name text NOT NULL,
  payload json NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signals_by_name ON rhythm.signals (execution_id, name, seq);
