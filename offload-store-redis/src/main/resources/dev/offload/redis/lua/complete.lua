-- ARGV[6] now; per completion: id, attempt, owner, outcome (S succeeded, F failed, R retry,
-- L release), result, error, retryAt (each nullable). Replies per completion 0 (rejected: the
-- lease is not held), 1 (finished) or the queue name (waiting again).
local now = ARGV[6]
local out = {}
for i = 7, #ARGV, 7 do
  local id, att, owner, outcome = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local res, err, retry_at = opt(ARGV[i + 4]), opt(ARGV[i + 5]), opt(ARGV[i + 6])
  local j = load(id)
  if fenced(j, att, owner) then
    if outcome == 'S' then
      to_finished(j, 'succeeded', res, nil, now)
    elseif outcome == 'F' then
      to_finished(j, 'failed', nil, err, now)
    elseif outcome == 'R' then
      to_pending(j, 'scheduled', retry_at, err, now)
    else
      to_pending(j, 'queued', now, nil, now)
    end
    if outcome == 'S' or outcome == 'F' then out[#out + 1] = 1 else out[#out + 1] = j.q end
  else
    out[#out + 1] = 0
  end
end
trim_finished()
flush()
return out
