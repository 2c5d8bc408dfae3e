-- wrk -s: GET /get_user_profile?user_id=u1..u1000 in turn, from a random start (404s: the seed
-- knows five IDs; a 404 waits its delay like a 200).
-- A seeded server's delay is a pure function of the item (scenario/delay_model.hpp), so one URL
-- has one delay (user_id=1121 waits 0.353 s under --seed 42) and a run on it measures against the
-- wrong ideal. The thousand IDs' delays spread over the seed's 0.1-0.5 s; bench/quick.sh reads
-- their mean from the server to state the ideal.
local paths = {}
local count = 1000
local next_index = 0

function init(args)
  for k = 1, count do
    paths[k] = wrk.format("GET", "/get_user_profile?user_id=u" .. k)
  end
  next_index = math.random(count) - 1
end

function request()
  next_index = next_index % count + 1
  return paths[next_index]
end
