-- Issue 11: the fencing token apart from the attempt count, claims that stay queued until their
-- task code starts, and the history of charged attempts (see the PostgreSQL migration).
--
-- SQLite cannot drop or change a CHECK constraint in place: the table is rebuilt as the SQLite
-- documentation prescribes (https://www.sqlite.org/lang_altertable.html#otheralter): create the
-- new table, copy the rows, drop the old one, rename, recreate the indexes, all in this
-- migration's transaction. There are no foreign keys, views or triggers to carry over.

CREATE TABLE offload_jobs_v2 (
  id                 TEXT PRIMARY KEY NOT NULL,  -- UUIDv7 text: sorts by creation time
  task               TEXT NOT NULL,
  queue              TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
  priority           INTEGER NOT NULL,
  input              TEXT NOT NULL,
  result             TEXT,
  error_type         TEXT,
  error_message      TEXT,
  error_detail       TEXT,
  progress_fraction  REAL,
  progress_message   TEXT,
  attempts           INTEGER NOT NULL,           -- charged attempts (task code started)
  max_attempts       INTEGER NOT NULL,
  backoff_initial_ns INTEGER NOT NULL,
  backoff_max_ns     INTEGER NOT NULL,
  timeout_ns         INTEGER,
  idempotency_key    TEXT,
  created_at         INTEGER NOT NULL,
  run_at             INTEGER NOT NULL,
  started_at         INTEGER,
  finished_at        INTEGER,
  lease_owner        TEXT,
  lease_expires_at   INTEGER,
  lease_token        INTEGER NOT NULL DEFAULT 0, -- fencing token of the latest claim
  lost_reservations  INTEGER NOT NULL DEFAULT 0, -- claims that lapsed before the job started
  history            TEXT,                       -- JSON array of ended charged attempts; NULL = none
  -- A lease may exist in queued (reserved) and running, must exist while running, and owner and
  -- expiry come together.
  CONSTRAINT offload_jobs_lease_while_held CHECK (
    (lease_owner IS NULL) = (lease_expires_at IS NULL)
    AND CASE state
          WHEN 'running' THEN lease_owner IS NOT NULL
          WHEN 'queued' THEN 1
          ELSE lease_owner IS NULL
        END)
);

-- A running job's lease was fenced by its attempt number: that number becomes its token.
INSERT INTO offload_jobs_v2 (
  id, task, queue, state, priority, input, result, error_type, error_message, error_detail,
  progress_fraction, progress_message, attempts, max_attempts, backoff_initial_ns,
  backoff_max_ns, timeout_ns, idempotency_key, created_at, run_at, started_at, finished_at,
  lease_owner, lease_expires_at, lease_token, lost_reservations, history)
SELECT
  id, task, queue, state, priority, input, result, error_type, error_message, error_detail,
  progress_fraction, progress_message, attempts, max_attempts, backoff_initial_ns,
  backoff_max_ns, timeout_ns, idempotency_key, created_at, run_at, started_at, finished_at,
  lease_owner, lease_expires_at, CASE WHEN state = 'running' THEN attempts ELSE 0 END, 0, NULL
FROM offload_jobs;

DROP TABLE offload_jobs;
ALTER TABLE offload_jobs_v2 RENAME TO offload_jobs;

CREATE UNIQUE INDEX offload_jobs_idempotency ON offload_jobs (idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Claims read only unclaimed waiting jobs (see the PostgreSQL migration).
CREATE INDEX offload_jobs_claim ON offload_jobs (priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled') AND lease_owner IS NULL;
CREATE INDEX offload_jobs_claim_queue ON offload_jobs (queue, priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled') AND lease_owner IS NULL;

-- Held leases by state and expiry: lapsed running leases (reaper), lapsed reservations (claim).
CREATE INDEX offload_jobs_lease ON offload_jobs (state, lease_expires_at)
  WHERE lease_owner IS NOT NULL;

CREATE INDEX offload_jobs_finished ON offload_jobs (finished_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled');
