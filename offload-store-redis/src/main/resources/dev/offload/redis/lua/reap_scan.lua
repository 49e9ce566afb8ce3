-- ARGV[6] now, [7] limit. Replies id, token, owner, lease expiry of each running job whose
-- lease expired before now; reap.lua re-checks each under its fence. Drops stale entries.
-- Claimed jobs that never started are not here: a claim takes their lapsed lease over.
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYLEX', K_RUNNING, '-', '(' .. ARGV[6], 'LIMIT', 0, tonumber(ARGV[7]))) do
  local id = string.sub(m, TLEN + 1)
  local j = load(id)
  if j and j.st == 'running' and j.le == string.sub(m, 1, TLEN) then
    out[#out + 1] = id
    out[#out + 1] = j.tok
    out[#out + 1] = j.own
    out[#out + 1] = j.le
  else
    redis.call('ZREM', K_RUNNING, m)
  end
end
return out
