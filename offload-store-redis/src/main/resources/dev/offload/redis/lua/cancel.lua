-- ARGV[6] id, [7] now, [8] the cancellation error. Replies {job fields after the call, ids
-- dropped by the maxFinished cap}, or nil when there is no such job. Terminal jobs are left as
-- they are (Job.cancelled).
local id, now, err = ARGV[6], ARGV[7], ARGV[8]
local j = load(id)
if not j then return nil end
if j.st == 'succeeded' or j.st == 'failed' or j.st == 'cancelled' then
  return {redis.call('HGETALL', job_key(id)), {}}
end
begin(j)
cancelled(j, err, now)
commit(j)
emit(j, now)
flush()
local fields = redis.call('HGETALL', job_key(id))
return {fields, trim_finished()}
