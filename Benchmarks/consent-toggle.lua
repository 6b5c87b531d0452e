-- wrk script for Benchmarks/self.sh: each request gives or withdraws consent for one of the
-- customers whose tokens are listed in $TOKENS (one per line), round robin.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  local status = (math.floor(counter / #tokens) % 2 == 0) and "given" or "withdrawn"
  return wrk.format("PUT", "/self/v1/me/consents/loyalty",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
    '{"status":"' .. status .. '"}')
end
