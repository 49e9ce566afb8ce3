-- ARGV[6] id. Replies 1 (deleted), 0 (no such job), or the state of a job a worker holds
-- (running, or queued under a claim), which is refused.
local j = load(ARGV[6])
if not j then return 0 end
if j.st == 'running' or (j.st == 'queued' and j.own) then return j.st end
delete_job(j)
flush()
return 1
