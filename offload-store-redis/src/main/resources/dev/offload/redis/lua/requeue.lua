-- ARGV[6] id, [7] now. Replies {'ok', fields}, {'conflict', state}, or nil (no such job).
local id, now = ARGV[6], ARGV[7]
local j = load(id)
if not j then return nil end
if j.st ~= 'failed' and j.st ~= 'cancelled' then return {'conflict', j.st} end
unindex(j)
move_state(j, 'queued')
local key = job_key(id)
j.ra = now
redis.call('HSET', key, 'st', 'queued', 'ra', now, 'max', tostring(tonumber(j.att) + tonumber(j.max)))
redis.call('HDEL', key, 'res', 'err', 'prog', 'sa', 'fa', 'own', 'le')
zadd(ready_key(j.q), ready_member(j.pri, now, id))
j.prog = nil
signal(j.q)
emit(j, now)
flush()
return {'ok', redis.call('HGETALL', key)}
