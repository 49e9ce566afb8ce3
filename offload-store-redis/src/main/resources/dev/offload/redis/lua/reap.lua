-- ARGV[6] now; per job: id, token, owner, lease-expired error. Each still running under that
-- lease, expired before now, is reaped (Job.reaped): charged and recorded in its history, back
-- to queued while attempts remain, else failed. Replies {fields of each job changed, ids dropped
-- by the maxFinished cap}.
local now = ARGV[6]
local out = {}
for i = 7, #ARGV, 4 do
  local id, tok, owner, err = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local j = load(id)
  if held(j, tok, owner) and j.st == 'running' and j.le < now then
    begin(j)
    reaped(j, err, now)
    commit(j)
    signal_if_due(j, now)
    emit(j, now)
    out[#out + 1] = j.id
  end
end
flush()
local jobs = {}
for _, id in ipairs(out) do jobs[#jobs + 1] = redis.call('HGETALL', job_key(id)) end
return {jobs, trim_finished()}
