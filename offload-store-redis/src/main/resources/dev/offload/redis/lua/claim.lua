-- ARGV[6] owner, [7] max, [8] now, [9] lease expiry, [10..] queues (none: every queue).
-- Moves due scheduled jobs to their ready set, then takes the best `max` across the queues.
local owner, max, now, lease = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9]
local queues = {}
if #ARGV >= 10 then
  for k = 10, #ARGV do queues[#queues + 1] = ARGV[k] end
else
  queues = redis.call('SMEMBERS', K_QUEUES)
end
local due_bound = '(' .. now .. '~'
local cands = {}
for _, q in ipairs(queues) do
  local sk, rk = sched_key(q), ready_key(q)
  while true do
    local due = redis.call('ZRANGEBYLEX', sk, '-', due_bound, 'LIMIT', 0, 500)
    for _, m in ipairs(due) do
      local id = string.sub(m, TLEN + 1)
      local pri = redis.call('HGET', job_key(id), 'pri')
      if pri then redis.call('ZADD', rk, 0, ready_member(pri, string.sub(m, 1, TLEN), id)) end
    end
    if #due > 0 then redis.call('ZREM', sk, unpack(due)) end
    if #due < 500 then break end
  end
  for _, m in ipairs(redis.call('ZRANGE', rk, 0, max - 1)) do
    cands[#cands + 1] = {m, q}
  end
end
if #queues > 1 then
  table.sort(cands, function(a, b) return a[1] < b[1] end)
end
local out = {}
for k = 1, math.min(max, #cands) do
  local m, q = cands[k][1], cands[k][2]
  zrem(ready_key(q), m)
  local j = load(string.sub(m, 11 + TLEN))
  if j and (j.st == 'queued' or j.st == 'scheduled') then
    local key = job_key(j.id)
    move_state(j, 'running')
    j.att = tostring(tonumber(j.att) + 1)
    j.prog = nil
    redis.call('HSET', key, 'st', 'running', 'att', j.att, 'sa', now, 'own', owner, 'le', lease)
    redis.call('HDEL', key, 'res', 'prog', 'fa')
    zadd(K_RUNNING, lease .. j.id)
    emit(j, now)
    out[#out + 1] = redis.call('HGETALL', key)
  end
end
flush()
return out
