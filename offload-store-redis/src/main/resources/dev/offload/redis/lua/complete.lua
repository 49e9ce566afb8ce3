-- ARGV[6] now; per completion: id, token, owner, outcome (S succeeded, F failed, R retry,
-- L release), result, error, retryAt, startedAt (each nullable). Each is fenced by its lease and
-- applied as Completion.applyTo: a job still claimed is started (charged) first, except on a
-- release. Replies per completion 0 (rejected: the lease is not held), 1 (finished) or the queue
-- name (waiting again), then the list of finished jobs dropped by the maxFinished cap.
local now = ARGV[6]
local out = {}
for i = 7, #ARGV, 8 do
  local id, tok, owner, outcome = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local res, err, retry_at, started_at =
    opt(ARGV[i + 4]), opt(ARGV[i + 5]), opt(ARGV[i + 6]), opt(ARGV[i + 7])
  local j = load(id)
  if held(j, tok, owner) then
    begin(j)
    if outcome == 'L' then
      released(j, now)
    else
      if j.st == 'queued' then started(j, started_at) end
      if outcome == 'S' then
        finished(j, 'succeeded', res, nil, now)
      elseif outcome == 'F' then
        finished(j, 'failed', nil, err, now)
      else
        retried(j, retry_at, err, now)
      end
    end
    commit(j)
    signal_if_due(j, now)
    emit(j, now)
    if outcome == 'S' or outcome == 'F' then out[#out + 1] = 1 else out[#out + 1] = j.q end
  else
    out[#out + 1] = 0
  end
end
out[#out + 1] = trim_finished()
flush()
return out
