-- Shared by every Offload script (prepended to each). Key layout and encodings: docs/REDIS.md.
-- ARGV[1] key prefix, ARGV[2] channel prefix (pub/sub ignores databases), ARGV[3] origin (the
-- calling store instance), ARGV[4] cap on finished jobs (0: none), ARGV[5] '1' when the caller's
-- own events subscription is confirmed (it is then not counted as a listener: a store ignores its
-- own events); a script's own arguments start at ARGV[6]. Times are fixed-width strings
-- (11-digit epoch seconds + 9-digit nanos) so that string order is time order; they come from
-- the caller only, never from Redis' clock.
--
-- Every change of a job mirrors one of dev.offload.Job's transition methods (claimed, started,
-- renewed, finished, retried, released, reaped, cancelled, requeued); the functions below carry
-- the same names.
local P = ARGV[1]
local C = ARGV[2]
local ORIGIN = ARGV[3]
local MAX_FINISHED = tonumber(ARGV[4])
local SELF_LISTENS = ARGV[5] == '1' and 1 or 0
local K_IDS = P .. ':ids'
local K_COUNTS = P .. ':counts'
local K_RUNNING = P .. ':running'
local K_FINISHED = P .. ':finished'
local K_IDEM = P .. ':idem'
local K_QUEUES = P .. ':queues'
local CH_WORK = C .. ':work'
local CH_EVENTS = C .. ':events'
local TLEN = 20

local function job_key(id) return P .. ':job:' .. id end
local function ready_key(q) return P .. ':q:' .. q .. ':ready' end
local function sched_key(q) return P .. ':q:' .. q .. ':sched' end
local function resv_key(q) return P .. ':q:' .. q .. ':resv' end
local function state_key(s) return P .. ':st:' .. s end

-- Ready order: highest priority, then oldest runAt, then oldest id, as one string.
local function ready_member(pri, ra, id)
  return string.format('%010d', 2147483647 - tonumber(pri)) .. ra .. id
end

-- Nullable string arguments arrive as '' (null) or '=' .. value.
local function opt(s)
  if s == '' then return nil end
  return string.sub(s, 2)
end

-- The fields the scripts decide on (absent fields are nil; a missing token or lost-reservation
-- count is 0); a job is nil when it does not exist.
local function load(id)
  local v = redis.call('HMGET', job_key(id), 'q', 'st', 'pri', 'ra', 'att', 'max', 'own', 'le',
    'task', 'idem', 'fa', 'prog', 'tok', 'lost', 'sa')
  if not v[2] then return nil end
  return {id = id, q = v[1], st = v[2], pri = v[3], ra = v[4], att = v[5], max = v[6],
    own = v[7] or nil, le = v[8] or nil, task = v[9], idem = v[10] or nil, fa = v[11] or nil,
    prog = v[12] or nil, tok = v[13] or '0', lost = v[14] or '0', sa = v[15] or nil}
end

-- Index and counter changes are batched per script and applied by flush(): one ZADD or ZREM
-- per key and one HINCRBY per counter, instead of one per job. Removals go first, so a script
-- may remove and re-add a member, never add then remove it: each job is unindexed once before
-- its changes (begin) and indexed once after them (commit). Every script calls flush() before it
-- returns, and before it reads an index again.
local zadds, zrems, deltas = {}, {}, {}
local function zadd(key, m)
  local t = zadds[key]
  if not t then
    t = {}
    zadds[key] = t
  end
  t[#t + 1] = 0
  t[#t + 1] = m
end
local function zrem(key, m)
  local t = zrems[key]
  if not t then
    t = {}
    zrems[key] = t
  end
  t[#t + 1] = m
end
local function count(st, q, d)
  local f = st .. '|' .. q
  deltas[f] = (deltas[f] or 0) + d
end
local function flush()
  for key, t in pairs(zrems) do
    for i = 1, #t, 4000 do redis.call('ZREM', key, unpack(t, i, math.min(#t, i + 3999))) end
  end
  for key, t in pairs(zadds) do
    for i = 1, #t, 4000 do redis.call('ZADD', key, unpack(t, i, math.min(#t, i + 3999))) end
  end
  for f, d in pairs(deltas) do
    if d ~= 0 and redis.call('HINCRBY', K_COUNTS, f, d) <= 0 then
      redis.call('HDEL', K_COUNTS, f)
    end
  end
  zadds, zrems, deltas = {}, {}, {}
end

-- For enqueue and delete: a job enters or leaves a state's count and listing index.
local function move_state(j, to)
  if j.st then
    count(j.st, j.q, -1)
    zrem(state_key(j.st), j.id)
  end
  if to then
    count(to, j.q, 1)
    zadd(state_key(to), j.id)
  end
  j.st = to
end

-- Removes the job from the structure its current state keeps it in. A queued job may sit in the
-- ready set, or, while a worker holds it, in the reservation set (by lease expiry) until a claim
-- finds the lease lapsed and moves it back to ready: remove it from both.
local function unindex(j)
  local s = j.st
  if s == 'queued' then
    -- (a claim's promotion may have moved a lapsed reservation to ready)
    zrem(ready_key(j.q), ready_member(j.pri, j.ra, j.id))
    if j.le then zrem(resv_key(j.q), j.le .. j.id) end
  elseif s == 'scheduled' then
    -- (a claim moves due ones to ready)
    zrem(ready_key(j.q), ready_member(j.pri, j.ra, j.id))
    zrem(sched_key(j.q), j.ra .. j.id)
  elseif s == 'running' then
    if j.le then zrem(K_RUNNING, j.le .. j.id) end
  elseif j.fa then
    zrem(K_FINISHED, j.fa .. j.id)
  end
end

-- Adds the job to the structure its current state keeps it in (see unindex).
local function index(j)
  local s = j.st
  if s == 'queued' then
    if j.own then
      zadd(resv_key(j.q), j.le .. j.id)
    else
      zadd(ready_key(j.q), ready_member(j.pri, j.ra, j.id))
    end
  elseif s == 'scheduled' then
    zadd(sched_key(j.q), j.ra .. j.id)
  elseif s == 'running' then
    zadd(K_RUNNING, j.le .. j.id)
  elseif j.fa then
    zadd(K_FINISHED, j.fa .. j.id)
  end
end

-- A change of a loaded job: begin(j), then transitions (which only record field writes through
-- set), then commit(j), which writes the hash once and moves counts and indexes.
local function begin(j)
  unindex(j)
  j.from, j.hs, j.hd = j.st, {}, {}
end
local function set(j, f, v)
  j[f] = v
  if v == nil then
    j.hs[f], j.hd[f] = nil, true
  else
    j.hs[f], j.hd[f] = v, nil
  end
end
local function commit(j)
  local key = job_key(j.id)
  local a = {}
  for f, v in pairs(j.hs) do
    a[#a + 1] = f
    a[#a + 1] = v
  end
  if #a > 0 then redis.call('HSET', key, unpack(a)) end
  local d = {}
  for f in pairs(j.hd) do d[#d + 1] = f end
  if #d > 0 then redis.call('HDEL', key, unpack(d)) end
  if j.from ~= j.st then
    count(j.from, j.q, -1)
    zrem(state_key(j.from), j.id)
    count(j.st, j.q, 1)
    zadd(state_key(j.st), j.id)
  end
  index(j)
end

local events_on = nil
local function emit(j, at)
  if events_on == nil then
    events_on = redis.call('PUBSUB', 'NUMSUB', CH_EVENTS)[2] > SELF_LISTENS
  end
  if events_on then
    redis.call('PUBLISH', CH_EVENTS, table.concat(
      {ORIGIN, j.id, j.task, j.q, j.st, j.att, at, j.prog or ''}, '\n'))
  end
end

local signalled = {}
local function signal(q)
  if not signalled[q] then
    signalled[q] = true
    redis.call('PUBLISH', CH_WORK, ORIGIN .. '|' .. q)
  end
end

local function delete_job(j)
  unindex(j)
  move_state(j, nil)
  redis.call('DEL', job_key(j.id))
  zrem(K_IDS, j.id)
  if j.idem and redis.call('HGET', K_IDEM, j.idem) == j.id then
    redis.call('HDEL', K_IDEM, j.idem)
  end
end

-- Only with a cap the user set: past it, the oldest finished jobs go (at most 100 per call).
-- Returns the ids dropped, which the caller counts and logs.
local function trim_finished()
  flush()
  local dropped = {}
  if MAX_FINISHED <= 0 then return dropped end
  local n = redis.call('ZCARD', K_FINISHED) - MAX_FINISHED
  if n <= 0 then return dropped end
  if n > 100 then n = 100 end
  for _, m in ipairs(redis.call('ZRANGE', K_FINISHED, 0, n - 1)) do
    local j = load(string.sub(m, TLEN + 1))
    if j then
      delete_job(j)
      dropped[#dropped + 1] = j.id
    else
      zrem(K_FINISHED, m)
    end
  end
  flush()
  return dropped
end

-- Lease fencing (Job.isHeldBy): claimed (queued) or running under the same token and owner.
local function held(j, tok, owner)
  return j and (j.st == 'queued' or j.st == 'running') and j.tok == tok and j.own == owner
end

-- Job.isClaimable: due, and no live lease.
local function claimable(j, now)
  local due = j.st == 'queued' or (j.st == 'scheduled' and j.ra <= now)
  return due and (not j.own or (j.le ~= nil and j.le < now))
end

local function json_string(s)
  if s == nil then return 'null' end
  return cjson.encode(s)
end

-- Appends the attempt ending now (by the current lease owner) to the history, a JSON array of
-- {attempt, worker, startedAt, endedAt, outcome, error} with times in the 20-character form and
-- the error as the JSON the caller wrote. Must run before the lease is cleared.
local function time_json(t)
  if t == nil then return 'null' end
  return '"' .. t .. '"' -- digits only
end
local function attempt_ended(j, outcome, err, now)
  local entry = '{"attempt":' .. j.att .. ',"worker":' .. json_string(j.own)
    .. ',"startedAt":' .. time_json(j.sa) .. ',"endedAt":' .. time_json(now)
    .. ',"outcome":"' .. outcome .. '","error":' .. (err or 'null') .. '}'
  local h = redis.call('HGET', job_key(j.id), 'hist')
  if h and string.len(h) > 2 then
    h = string.sub(h, 1, -2) .. ',' .. entry .. ']'
  else
    h = '[' .. entry .. ']'
  end
  set(j, 'hist', h)
end

local function clear_lease(j)
  set(j, 'own', nil)
  set(j, 'le', nil)
end

-- Job.claimed: still (or now) queued, a new token, no attempt charged; taking over a lapsed
-- claim counts a lost reservation.
local function claimed(j, owner, now, lease)
  if j.st == 'scheduled' then set(j, 'st', 'queued') end
  if j.prog then set(j, 'prog', nil) end
  if j.own then set(j, 'lost', tostring(tonumber(j.lost) + 1)) end
  set(j, 'own', owner)
  set(j, 'le', lease)
  set(j, 'tok', tostring(tonumber(j.tok) + 1))
end

-- Job.started: task code started at `at`: running, the attempt charged.
local function started(j, at)
  set(j, 'st', 'running')
  set(j, 'att', tostring(tonumber(j.att) + 1))
  set(j, 'sa', at)
end

-- Job.renewed
local function renewed(j, lease, prog)
  set(j, 'le', lease)
  if prog then set(j, 'prog', prog) end
end

local function outcome_of(st)
  if st == 'succeeded' then return 'succeeded' end
  if st == 'cancelled' then return 'cancelled' end
  return 'failed'
end

-- Job.finished: a success clears the error; the ending attempt is recorded if it ran.
local function finished(j, st, res, err, now)
  local was_running = j.st == 'running'
  set(j, 'st', st)
  set(j, 'res', res)
  if st == 'succeeded' then
    set(j, 'err', nil)
  elseif err then
    set(j, 'err', err)
  end
  set(j, 'fa', now)
  if was_running then
    if st == 'succeeded' then
      attempt_ended(j, outcome_of(st), nil, now)
    else
      attempt_ended(j, outcome_of(st), err, now)
    end
  end
  clear_lease(j)
end

-- Job.retried: waits (scheduled) until retry_at with the attempt's error.
local function retried(j, retry_at, err, now)
  set(j, 'st', 'scheduled')
  set(j, 'err', err)
  set(j, 'ra', retry_at)
  attempt_ended(j, 'failed', err, now)
  clear_lease(j)
end

-- Job.released: handed back without a verdict; a charged attempt is refunded.
local function released(j, now)
  if j.st == 'running' then
    set(j, 'st', 'queued')
    set(j, 'att', tostring(tonumber(j.att) - 1))
  end
  clear_lease(j)
end

-- Job.reaped: a running job whose lease lapsed; charged and recorded, then waiting again while
-- attempts remain, else failed.
local function reaped(j, err, now)
  attempt_ended(j, 'lease-expired', err, now)
  if tonumber(j.att) < tonumber(j.max) then
    set(j, 'st', 'queued')
    set(j, 'err', err)
  else
    set(j, 'st', 'failed')
    set(j, 'err', err)
    set(j, 'fa', now)
  end
  clear_lease(j)
end

-- Job.cancelled: a running attempt is recorded as cancelled.
local function cancelled(j, err, now)
  local was_running = j.st == 'running'
  set(j, 'st', 'cancelled')
  set(j, 'err', err)
  set(j, 'fa', now)
  if was_running then attempt_ended(j, 'cancelled', err, now) end
  clear_lease(j)
end

-- Job.requeued: a fresh allowance of attempts on top of those charged (attempt numbers keep
-- rising); the history stays.
local function requeued(j, now)
  set(j, 'st', 'queued')
  set(j, 'res', nil)
  set(j, 'err', nil)
  set(j, 'prog', nil)
  set(j, 'max', tostring(tonumber(j.att) + tonumber(j.max)))
  set(j, 'ra', now)
  set(j, 'sa', nil)
  set(j, 'fa', nil)
  clear_lease(j)
  set(j, 'lost', '0')
end

-- After commit: wake waiters when the job became claimable (at once or already due).
local function signal_if_due(j, now)
  if (j.st == 'queued' and not j.own) or (j.st == 'scheduled' and j.ra <= now) then
    signal(j.q)
  end
end
