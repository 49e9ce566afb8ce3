-- ARGV[6] now; per job: id, attempt, owner, lease-expired error. Back to QUEUED while
-- attempts remain, else FAILED. Replies with the fields of each job changed.
local now = ARGV[6]
local out = {}
for i = 7, #ARGV, 4 do
  local id, att, owner, err = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local j = load(id)
  if fenced(j, att, owner) and j.le < now then
    if tonumber(j.att) < tonumber(j.max) then
      to_pending(j, 'queued', now, err, now)
    else
      to_finished(j, 'failed', nil, err, now)
    end
    out[#out + 1] = redis.call('HGETALL', job_key(id))
  end
end
trim_finished()
flush()
return out
