-- ARGV[6] id, [7] now. Replies {'ok', fields}, {'conflict', state}, or nil (no such job).
-- Job.requeued: more attempts allowed on top of those charged, the history stays.
local id, now = ARGV[6], ARGV[7]
local j = load(id)
if not j then return nil end
if j.st ~= 'failed' and j.st ~= 'cancelled' then return {'conflict', j.st} end
begin(j)
requeued(j, now)
commit(j)
signal(j.q)
emit(j, now)
flush()
return {'ok', redis.call('HGETALL', job_key(id))}
