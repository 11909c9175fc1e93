-- A task or child workflow a step starts with an idempotency key that an execution already
-- holds (one that has not failed) does not start: the parent's promise follows that execution
-- (LANGUAGE.md §9.2). The promise keeps the id the VM derived for it; this table maps that id
-- to the execution it follows, for reading outcomes and for waking the parent when the
-- followed execution finishes.
CREATE TABLE rhythm.followers (
  id text PRIMARY KEY,                                              -- the promise's derived id
  execution_id text NOT NULL REFERENCES rhythm.executions (id),     -- the execution followed
  parent_id text NOT NULL REFERENCES rhythm.executions (id)         -- the workflow awaiting it
);
CREATE INDEX followers_of_execution ON rhythm.followers (execution_id);
