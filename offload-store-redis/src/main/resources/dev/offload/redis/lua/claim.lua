-- ARGV[6] owner, [7] max, [8] now, [9] lease expiry, [10..] queues (none: every queue).
-- Per queue, moves due scheduled jobs and lapsed reservations (claims whose lease expired
-- before their start was recorded) to the ready set, then takes the best `max` across the
-- queues: each stays (or becomes) queued with the new lease and a new token, and moves to its
-- queue's reservation set, out of reach of other claims while the lease holds (Job.claimed).
local owner, max, now, lease = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9]
local queues = {}
if #ARGV >= 10 then
  for k = 10, #ARGV do queues[#queues + 1] = ARGV[k] end
else
  queues = redis.call('SMEMBERS', K_QUEUES)
end
local due_bound = '(' .. now .. '~'
local lapsed_bound = '(' .. now
local cands = {}
for _, q in ipairs(queues) do
  local sk, rk, vk = sched_key(q), ready_key(q), resv_key(q)
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
  while true do
    local lapsed = redis.call('ZRANGEBYLEX', vk, '-', lapsed_bound, 'LIMIT', 0, 500)
    for _, m in ipairs(lapsed) do
      local j = load(string.sub(m, TLEN + 1))
      if j and j.st == 'queued' and j.le == string.sub(m, 1, TLEN) then
        redis.call('ZADD', rk, 0, ready_member(j.pri, j.ra, j.id))
      end
    end
    if #lapsed > 0 then redis.call('ZREM', vk, unpack(lapsed)) end
    if #lapsed < 500 then break end
  end
  for _, m in ipairs(redis.call('ZRANGE', rk, 0, max - 1)) do
    cands[#cands + 1] = {m, q}
  end
end
if #queues > 1 then
  table.sort(cands, function(a, b) return a[1] < b[1] end)
end
local out = {}
for k = 1, #cands do
  if #out >= max then break end
  local m, q = cands[k][1], cands[k][2]
  zrem(ready_key(q), m)
  local j = load(string.sub(m, 11 + TLEN))
  if j and claimable(j, now) then
    begin(j)
    claimed(j, owner, now, lease)
    commit(j)
    if j.from ~= j.st then emit(j, now) end
    out[#out + 1] = redis.call('HGETALL', job_key(j.id))
  elseif j and j.st == 'queued' and j.own then
    -- Still under a live lease for this caller's clock: back to the reservation set.
    zadd(resv_key(j.q), j.le .. j.id)
  end
end
flush()
return out
