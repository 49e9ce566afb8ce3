-- ARGV[6] new lease expiry, [7] now; per beat: id, attempt, owner, progress (nullable).
-- Replies with the ids whose lease is no longer held.
local lease, now = ARGV[6], ARGV[7]
local lost = {}
for i = 8, #ARGV, 4 do
  local id, att, owner, prog = ARGV[i], ARGV[i + 1], ARGV[i + 2], opt(ARGV[i + 3])
  local j = load(id)
  if fenced(j, att, owner) then
    zrem(K_RUNNING, j.le .. id)
    zadd(K_RUNNING, lease .. id)
    redis.call('HSET', job_key(id), 'le', lease)
    if prog then
      redis.call('HSET', job_key(id), 'prog', prog)
      j.prog = prog
      emit(j, now)
    end
  else
    lost[#lost + 1] = id
  end
end
flush()
return lost
