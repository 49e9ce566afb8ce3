-- ARGV[6] new lease expiry, [7] now; per beat: id, token, owner, progress (nullable), startedAt
-- (nullable). For each lease still held: a claimed job whose start is reported becomes running
-- and is charged (Job.started), then the lease is renewed (Job.renewed). Replies with the
-- positions (from 1) of the beats whose lease is no longer held.
local lease, now = ARGV[6], ARGV[7]
local lost = {}
local n = 0
for i = 8, #ARGV, 5 do
  n = n + 1
  local id, tok, owner = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local prog, started_at = opt(ARGV[i + 3]), opt(ARGV[i + 4])
  local j = load(id)
  if held(j, tok, owner) then
    begin(j)
    if started_at and j.st == 'queued' then started(j, started_at) end
    renewed(j, lease, prog)
    commit(j)
    if j.from ~= j.st or prog then emit(j, now) end
  else
    lost[#lost + 1] = n
  end
end
flush()
return lost
