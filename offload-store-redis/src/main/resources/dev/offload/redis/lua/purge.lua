-- ARGV[6] finished before, [7] limit. Replies how many jobs were deleted.
local n = 0
for _, m in ipairs(redis.call('ZRANGEBYLEX', K_FINISHED, '-', '(' .. ARGV[6], 'LIMIT', 0, tonumber(ARGV[7]))) do
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
