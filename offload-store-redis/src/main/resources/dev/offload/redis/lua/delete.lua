-- ARGV[6] id. Replies 1 (deleted), 0 (no such job) or 'running' (refused).
local j = load(ARGV[6])
if not j then return 0 end
if j.st == 'running' then return 'running' end
delete_job(j)
flush()
return 1
