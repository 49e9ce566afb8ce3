-- Shared by every Offload script (prepended to each). Key layout and encodings: docs/REDIS.md.
-- ARGV[1] key prefix, ARGV[2] channel prefix (pub/sub ignores databases), ARGV[3] origin (the
-- calling store instance), ARGV[4] cap on finished jobs, ARGV[5] '1' when the caller's own
-- events subscription is confirmed (it is then not counted as a listener: a store ignores its
-- own events); a script's own arguments start at ARGV[6]. Times are fixed-width strings
-- (11-digit epoch seconds + 9-digit nanos) so that string order is time order; they come from
-- the caller only, never from Redis' clock.
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

-- The fields the scripts decide on (absent fields are nil); a job is nil when it does not exist.
local function load(id)
  local v = redis.call('HMGET', job_key(id),
    'q', 'st', 'pri', 'ra', 'att', 'max', 'own', 'le', 'task', 'idem', 'fa', 'prog')
  if not v[2] then return nil end
  return {id = id, q = v[1], st = v[2], pri = v[3], ra = v[4], att = v[5], max = v[6],
    own = v[7] or nil, le = v[8] or nil, task = v[9], idem = v[10] or nil, fa = v[11] or nil,
    prog = v[12] or nil}
end

-- Index and counter changes are batched per script and applied by flush(): one ZADD or ZREM
-- per key and one HINCRBY per counter, instead of one per job. Job hashes are written at once.
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
-- Removals go first: a script may remove and re-add a member (a renewed lease), never the
-- reverse. Every script calls flush() before it returns, and before it reads an index again.
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

-- Removes the job from the structure its current state keeps it in.
local function unindex(j)
  local s = j.st
  if s == 'queued' or s == 'scheduled' then
    zrem(ready_key(j.q), ready_member(j.pri, j.ra, j.id))
    zrem(sched_key(j.q), j.ra .. j.id)
  elseif s == 'running' then
    if j.le then zrem(K_RUNNING, j.le .. j.id) end
  elseif j.fa then
    zrem(K_FINISHED, j.fa .. j.id)
  end
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

-- Bounded history: past the cap, the oldest finished jobs go (a few per call).
local function trim_finished()
  flush()
  if MAX_FINISHED <= 0 then return end
  local n = redis.call('ZCARD', K_FINISHED) - MAX_FINISHED
  if n <= 0 then return end
  if n > 100 then n = 100 end
  for _, m in ipairs(redis.call('ZRANGE', K_FINISHED, 0, n - 1)) do
    local j = load(string.sub(m, TLEN + 1))
    if j then delete_job(j) else zrem(K_FINISHED, m) end
  end
  flush()
end

local function to_finished(j, st, res, err, now)
  unindex(j)
  move_state(j, st)
  j.fa = now
  redis.call('HSET', job_key(j.id), 'st', st, 'fa', now)
  redis.call('HDEL', job_key(j.id), 'own', 'le')
  if res then redis.call('HSET', job_key(j.id), 'res', res) else redis.call('HDEL', job_key(j.id), 'res') end
  if err then redis.call('HSET', job_key(j.id), 'err', err) end
  zadd(K_FINISHED, now .. j.id)
  emit(j, now)
end

-- Back to waiting: QUEUED goes to the ready set, SCHEDULED to the time-ordered set.
local function to_pending(j, st, ra, err, now)
  unindex(j)
  move_state(j, st)
  j.ra = ra
  redis.call('HSET', job_key(j.id), 'st', st, 'ra', ra)
  redis.call('HDEL', job_key(j.id), 'res', 'fa', 'own', 'le')
  if err then redis.call('HSET', job_key(j.id), 'err', err) end
  if st == 'queued' then
    zadd(ready_key(j.q), ready_member(j.pri, ra, j.id))
    signal(j.q)
  else
    zadd(sched_key(j.q), ra .. j.id)
    if ra <= now then signal(j.q) end
  end
  emit(j, now)
end

local function fenced(j, att, owner)
  return j and j.st == 'running' and j.att == att and j.own == owner
end
