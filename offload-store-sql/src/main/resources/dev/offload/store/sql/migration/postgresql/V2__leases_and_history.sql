-- Issue 11: the fencing token apart from the attempt count, claims that stay queued until their
-- task code starts, and the history of charged attempts.

ALTER TABLE offload_jobs
  -- The fencing token of the latest claim (+1 on every claim); attempts now counts only charged
  -- attempts (task code started).
  ADD COLUMN lease_token bigint NOT NULL DEFAULT 0,
  -- Claims that lapsed before the store learned the job started.
  ADD COLUMN lost_reservations integer NOT NULL DEFAULT 0,
  -- JSON array of the charged attempts that ended, oldest first; NULL = none.
  ADD COLUMN history text;

-- A running job's lease was fenced by its attempt number: that number becomes its token, so the
-- worker holding it across the upgrade keeps it.
UPDATE offload_jobs SET lease_token = attempts WHERE state = 'running';

-- A claimed job now stays queued (reserved) until its start is reported: a lease may exist in
-- queued and running, must exist while running, and owner and expiry come together.
ALTER TABLE offload_jobs DROP CONSTRAINT offload_jobs_lease_while_running;
ALTER TABLE offload_jobs ADD CONSTRAINT offload_jobs_lease_while_held CHECK (
  (lease_owner IS NULL) = (lease_expires_at IS NULL)
  AND CASE state
        WHEN 'running' THEN lease_owner IS NOT NULL
        WHEN 'queued' THEN true
        ELSE lease_owner IS NULL
      END);

-- Claims read only unclaimed waiting jobs: reserved jobs leave the claim indexes, so a large
-- prefetch is never scanned past.
DROP INDEX offload_jobs_claim;
DROP INDEX offload_jobs_claim_queue;
CREATE INDEX offload_jobs_claim ON offload_jobs (priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled') AND lease_owner IS NULL;
CREATE INDEX offload_jobs_claim_queue ON offload_jobs (queue, priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled') AND lease_owner IS NULL;

-- Every held lease by state and expiry: the reaper reads lapsed running leases, the claim reads
-- lapsed reservations (queued) to take them over.
DROP INDEX offload_jobs_lease;
CREATE INDEX offload_jobs_lease ON offload_jobs (state, lease_expires_at)
  WHERE lease_owner IS NOT NULL;
