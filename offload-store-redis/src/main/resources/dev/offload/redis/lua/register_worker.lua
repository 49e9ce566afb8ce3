-- ARGV[5] worker id, [6] worker JSON, [7] last report (epoch ms), [8] forget workers silent
-- since (epoch ms): workers that died without unregistering do not pile up.
local K_WORKERS, K_SEEN = P .. ':workers', P .. ':workers:seen'
redis.call('HSET', K_WORKERS, ARGV[5], ARGV[6])
redis.call('ZADD', K_SEEN, tonumber(ARGV[7]), ARGV[5])
for _, w in ipairs(redis.call('ZRANGEBYSCORE', K_SEEN, '-inf', '(' .. ARGV[8], 'LIMIT', 0, 100)) do
  redis.call('HDEL', K_WORKERS, w)
  redis.call('ZREM', K_SEEN, w)
end
return 1
