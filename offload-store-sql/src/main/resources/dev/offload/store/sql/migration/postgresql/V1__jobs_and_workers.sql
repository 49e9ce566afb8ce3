-- Offload job store, PostgreSQL dialect.
-- Times are epoch nanoseconds (UTC) in bigint so every Instant round-trips exactly;
-- durations are nanoseconds. JSON input and result are text, kept byte for byte.

CREATE TABLE offload_jobs (
  id                 uuid PRIMARY KEY,          -- UUIDv7: sorts by creation time
  task               text NOT NULL,
  queue              text NOT NULL,
  state              text NOT NULL CHECK (state IN ('scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
  priority           integer NOT NULL,
  input              text NOT NULL,
  result             text,
  error_type         text,
  error_message      text,
  error_detail       text,
  progress_fraction  double precision,
  progress_message   text,
  attempts           integer NOT NULL,          -- also the fencing token of the current lease
  max_attempts       integer NOT NULL,
  backoff_initial_ns bigint NOT NULL,
  backoff_max_ns     bigint NOT NULL,
  timeout_ns         bigint,
  idempotency_key    text,
  created_at         bigint NOT NULL,
  run_at             bigint NOT NULL,
  started_at         bigint,
  finished_at        bigint,
  lease_owner        text,
  lease_expires_at   bigint,
  -- A lease exists exactly while the job runs: fenced updates match on the lease alone.
  CONSTRAINT offload_jobs_lease_while_running CHECK ((state = 'running') = (lease_owner IS NOT NULL))
) WITH (
  -- Rows are updated about three times in a short life and then deleted by retention:
  -- vacuum early so dead tuples are reused instead of bloating the table.
  fillfactor = 90,
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02
);

-- Idempotency keys are unique while the job exists.
CREATE UNIQUE INDEX offload_jobs_idempotency ON offload_jobs (idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Claims read only waiting jobs, in claim order; the partial indexes stay as small as the
-- backlog however much history the table holds.
CREATE INDEX offload_jobs_claim ON offload_jobs (priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled');
CREATE INDEX offload_jobs_claim_queue ON offload_jobs (queue, priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled');

-- The reaper finds expired leases among running jobs only.
CREATE INDEX offload_jobs_lease ON offload_jobs (lease_expires_at)
  WHERE state = 'running';

-- Retention deletes the oldest finished jobs first, in small batches.
CREATE INDEX offload_jobs_finished ON offload_jobs (finished_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled');

CREATE TABLE offload_workers (
  id                text PRIMARY KEY,
  host              text,
  pid               bigint NOT NULL,
  concurrency       integer NOT NULL,
  running           integer NOT NULL,
  queues            text NOT NULL,             -- JSON array of queue names
  started_at        bigint,
  last_heartbeat_at bigint
);
