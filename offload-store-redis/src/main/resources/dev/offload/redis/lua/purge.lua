-- ARGV[5] finished before, [6] limit. Replies how many jobs were deleted.
local n = 0
for _, m in ipairs(redis.call('ZRANGEBYLEX', K_FINISHED, '-', '(' .. ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))) do
  local j = load(string.sub(m, TLEN + 1))
  if j then
    delete_job(j)
    n = n + 1
  else
    zrem(K_FINISHED, m)
  end
end
flush()
return n
