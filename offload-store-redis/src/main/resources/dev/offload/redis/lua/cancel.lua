-- ARGV[6] id, [7] now, [8] the cancellation error. Replies with the job's fields after the
-- call, or nil when there is no such job. Terminal jobs are left as they are.
local id, now, err = ARGV[6], ARGV[7], ARGV[8]
local j = load(id)
if not j then return nil end
if j.st ~= 'succeeded' and j.st ~= 'failed' and j.st ~= 'cancelled' then
  to_finished(j, 'cancelled', nil, err, now)
  trim_finished()
end
flush()
return redis.call('HGETALL', job_key(id))
