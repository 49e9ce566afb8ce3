-- Per job: id, idempotency key ('' none), queue, state, priority, runAt, due now ('1'/'0'),
-- task, attempts, createdAt, lease expiry ('' none), field count n, then n hash field/value
-- arguments. Replies per job: 1 (created), the existing job's fields (same idempotency key), or
-- 'exists' (id taken).
local out = {}
local i = 6
while i <= #ARGV do
  local id, idem, q, st, pri, ra, due = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3],
      ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local task, att, created, le = ARGV[i + 7], ARGV[i + 8], ARGV[i + 9], ARGV[i + 10]
  local nf = tonumber(ARGV[i + 11])
  local first = i + 12
  i = first + nf
  local existing = false
  if idem ~= '' then existing = redis.call('HGET', K_IDEM, idem) end
  if existing and redis.call('EXISTS', job_key(existing)) == 1 then
    out[#out + 1] = redis.call('HGETALL', job_key(existing))
  elseif redis.call('EXISTS', job_key(id)) == 1 then
    out[#out + 1] = 'exists'
  else
    redis.call('HSET', job_key(id), unpack(ARGV, first, first + nf - 1))
    if idem ~= '' then redis.call('HSET', K_IDEM, idem, id) end
    zadd(K_IDS, id)
    redis.call('SADD', K_QUEUES, q)
    local j = {id = id, q = q, task = task, att = att, pri = pri, ra = ra}
    if le ~= '' then
      j.own, j.le = true, le
    end
    move_state(j, st)
    index(j)
    if due == '1' and not j.own then signal(q) end
    emit(j, created)
    out[#out + 1] = 1
  end
end
flush()
return out
