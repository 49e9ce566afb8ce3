-- Offload job store, SQLite dialect.
-- Times are epoch nanoseconds (UTC) so every Instant round-trips exactly; durations are
-- nanoseconds. JSON input and result are text, kept byte for byte.

CREATE TABLE offload_jobs (
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
  attempts           INTEGER NOT NULL,           -- also the fencing token of the current lease
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
  -- A lease exists exactly while the job runs: fenced updates match on the lease alone.
  CONSTRAINT offload_jobs_lease_while_running CHECK ((state = 'running') = (lease_owner IS NOT NULL))
);

CREATE UNIQUE INDEX offload_jobs_idempotency ON offload_jobs (idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Claims read only waiting jobs, in claim order (see the PostgreSQL migration).
CREATE INDEX offload_jobs_claim ON offload_jobs (priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled');
CREATE INDEX offload_jobs_claim_queue ON offload_jobs (queue, priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled');

CREATE INDEX offload_jobs_lease ON offload_jobs (lease_expires_at)
  WHERE state = 'running';

CREATE INDEX offload_jobs_finished ON offload_jobs (finished_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled');

CREATE TABLE offload_workers (
  id                TEXT PRIMARY KEY NOT NULL,
  host              TEXT,
  pid               INTEGER NOT NULL,
  concurrency       INTEGER NOT NULL,
  running           INTEGER NOT NULL,
  queues            TEXT NOT NULL,              -- JSON array of queue names
  started_at        INTEGER,
  last_heartbeat_at INTEGER
);

-- Bumped in every transaction that makes work available, so an idle worker of another
-- process, which watches PRAGMA data_version, wakes for new work but not for every heartbeat.
CREATE TABLE offload_signal (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
INSERT INTO offload_signal (id, seq) VALUES (1, 0);
