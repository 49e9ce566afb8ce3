-- ARGV[6] worker id, [7] worker JSON, [8] last report (epoch ms), [9] forget workers silent
-- since (epoch ms): workers that died without unregistering do not pile up.
local K_WORKERS, K_SEEN = P .. ':workers', P .. ':workers:seen'
redis.call('HSET', K_WORKERS, ARGV[6], ARGV[7])
redis.call('ZADD', K_SEEN, tonumber(ARGV[8]), ARGV[6])
for _, w in ipairs(redis.call('ZRANGEBYSCORE', K_SEEN, '-inf', '(' .. ARGV[9], 'LIMIT', 0, 100)) do
  redis.call('HDEL', K_WORKERS, w)
  redis.call('ZREM', K_SEEN, w)
end
return 1
