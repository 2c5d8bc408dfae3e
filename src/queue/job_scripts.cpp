#include "queue/job_scripts.hpp"

namespace serentak::queue::scripts {

// Prepended to the scripts that read an item out of an entry: a push's entry holds up to
// items_per_entry items, {"i", first index, "item", text, "item", text, ...}; a single item's entry
// (a chunk split on reclaim, a retry) may end with {"d", deliveries before it}.
#define SERENTAK_ITEM_AT_LUA                                                  \
  "local function item_at(fields, index)\n"                                   \
  "  local first = tonumber(fields[2])\n"                                     \
  "  if fields[1] ~= 'i' or not first or index < first then return nil end\n" \
  "  local at = 4 + 2 * (index - first)\n"                                    \
  "  if fields[at - 1] ~= 'item' then return nil end\n"                       \
  "  return fields[at]\n"                                                     \
  "end\n"

const std::string_view create_job = R"lua(
local d = redis.call('HGET', KEYS[1], 'digest')
if d and d ~= ARGV[2] then return redis.error_reply('SERENTAK_SPEC ' .. d) end
if not d then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'spec', ARGV[1], 'digest', ARGV[2], 'pushed', 0, 'created_ms', ARGV[3], 'generation', 1,
             'instance', string.format('%s.%06d', t[1], tonumber(t[2])))
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('XGROUP', 'CREATE', KEYS[2], 'workers', '0', 'MKSTREAM')
  end
end
return tonumber(redis.call('HGET', KEYS[1], 'pushed'))
)lua";

// Entries are "<generation>-<index>": a retry (requeue) may have added "<g>-<j>" entries already,
// and XADD takes only IDs above the stream's top. Every index pushed now is above every j a retry
// chose (those have records, so were pushed before), so "<current generation>-<index>" is above
// the top. Indexes are pushed in ascending order and the generation only grows, so the push's
// generations split the indexes into ranges: push_generations lists "<generation>:<first index>"
// for each ("1:0" when absent), and requeue finds the entry holding an item with one XREVRANGE.
// items_digest, "<count> <16 hex>", is the push's running digest of the items [0, count) (FNV-1a
// 64 over each item and a newline, computed by the pusher, which sends the digest at the chunk's start
// and at its end). A push meets the stored items where its first chunk starts (a push that goes on
// from an earlier one) or where it ends (finish_push): a different item list there is refused before
// anything is added, instead of being taken for the same job. A chunk that straddles the stored count
// (another push, concurrent, whose list ended inside it) cannot be compared and is refused too. A job from an older
// serentak has no digest, and one left behind by it (count short of pushed) is dropped: neither is checked.
const std::string_view push_items = R"lua(
if redis.call('HGET', KEYS[1], 'digest') ~= ARGV[1] then return redis.error_reply('SERENTAK_SPEC changed') end
local pushed_text = redis.call('HGET', KEYS[1], 'pushed')
local pushed = tonumber(pushed_text)
local start = tonumber(ARGV[2])
if start > pushed then return redis.error_reply('SERENTAK_GAP ' .. pushed) end
local now = start + (#ARGV - 5) / 2
local stored = redis.call('HGET', KEYS[1], 'items_digest')
local count, hex
if stored then
  count, hex = string.match(stored, '^(%d+) (%x+)$')
  count = tonumber(count)
  if (count == start and hex ~= ARGV[3]) or (count == now and hex ~= ARGV[4]) then
    return redis.error_reply('SERENTAK_ITEMS ' .. count)
  end
  -- Another push's list ended inside this chunk: no digest here to compare with, and storing this
  -- push's would vouch for items it never compared. Refused; pushed again, it starts where the job ends.
  if count and start < count and count < now then return redis.error_reply('SERENTAK_ALIGN ' .. count) end
end
local gen = redis.call('HGET', KEYS[1], 'generation') or '1'
local per_entry = tonumber(ARGV[5])
local added = 0
local fields = nil
local function add_entry()
  if fields then redis.call('XADD', KEYS[2], gen .. '-' .. fields[2], unpack(fields)) end
  fields = nil
end
local k = 6
while k < #ARGV do
  local index = start + (k - 6) / 2
  if index >= pushed then
    if fields and #fields >= 2 + 2 * per_entry then add_entry() end
    if not fields then fields = {'i', ARGV[k]} end
    fields[#fields + 1] = 'item'
    fields[#fields + 1] = ARGV[k + 1]
    added = added + 1
  end
  k = k + 2
end
add_entry()
if added > 0 then
  local used = redis.call('HGET', KEYS[1], 'push_generations') or '1:0'
  local last = string.match(used, '(%d+):%d+$')
  if last ~= gen then
    redis.call('HSET', KEYS[1], 'push_generations', used .. ' ' .. gen .. ':' .. pushed_text)
  end
end
if now > pushed then
  redis.call('HSET', KEYS[1], 'pushed', now)
  if (stored and count == pushed) or (not stored and pushed == 0) then
    redis.call('HSET', KEYS[1], 'items_digest', now .. ' ' .. ARGV[4])
  elseif stored then
    redis.call('HDEL', KEYS[1], 'items_digest')
  end
end
return added
)lua";

const std::string_view finish_push = R"lua(
if redis.call('HGET', KEYS[1], 'digest') ~= ARGV[1] then return redis.error_reply('SERENTAK_SPEC changed') end
local pushed = tonumber(redis.call('HGET', KEYS[1], 'pushed'))
if pushed < tonumber(ARGV[2]) then return redis.error_reply('SERENTAK_SHORT ' .. pushed) end
local stored = redis.call('HGET', KEYS[1], 'items_digest')
if stored then
  local count, hex = string.match(stored, '^(%d+) (%x+)$')
  if tonumber(count) == tonumber(ARGV[2]) and hex ~= ARGV[3] then
    return redis.error_reply('SERENTAK_ITEMS ' .. count)
  end
end
redis.call('HSET', KEYS[1], 'total', pushed)
return pushed
)lua";

// The records not stored yet are found with one HMGET and stored with one HSET per 1,000 arguments
// (the first of an item wins, in Redis or earlier in the batch), not an HSETNX per record: each
// redis.call from Lua costs a command's dispatch, and each write is its own command in the AOF, the
// records key repeated. The outcome counts and the acknowledgements are gathered and sent once per
// batch (a HINCRBY per distinct outcome, an XACK per 1,000 ids: unpack's stack stays small). The
// script is atomic, so the order inside does not matter to a reader.
const std::string_view record_and_ack = R"lua(
if redis.call('HGET', KEYS[5], ARGV[3]) ~= ARGV[4] then return -1 end
local n = (#ARGV - 4) / 4
local indexes = {}
for m = 1, n do indexes[m] = ARGV[2 + 4 * m] end
local written = 0
local counts = {}
local ids = {}
local fresh = {}
local taken = {}
local i = 1
while i <= n do
  local j = math.min(i + 999, n)
  local stored = redis.call('HMGET', KEYS[1], unpack(indexes, i, j))
  for m = i, j do
    local k = 1 + 4 * m
    local index = ARGV[k + 1]
    if not stored[m - i + 1] and not taken[index] then
      taken[index] = true
      fresh[#fresh + 1] = index
      fresh[#fresh + 1] = ARGV[k + 3]
      counts[ARGV[k + 2]] = (counts[ARGV[k + 2]] or 0) + 1
      written = written + 1
    end
    if ARGV[k] ~= '' then ids[#ids + 1] = ARGV[k] end
  end
  i = j + 1
end
i = 1
while i <= #fresh do
  local j = math.min(i + 999, #fresh)
  redis.call('HSET', KEYS[1], unpack(fresh, i, j))
  i = j + 1
end
for outcome, c in pairs(counts) do redis.call('HINCRBY', KEYS[3], outcome, c) end
i = 1
while i <= #ids do
  local j = math.min(i + 999, #ids)
  redis.call('XACK', KEYS[2], ARGV[1], unpack(ids, i, j))
  i = j + 1
end
if written > 0 then redis.call('HINCRBY', KEYS[4], ARGV[2], written) end
-- Only while some attempt failed (rare): nothing more for a job without.
if redis.call('EXISTS', KEYS[6]) == 1 then
  i = 1
  while i <= n do
    local j = math.min(i + 999, n)
    redis.call('HDEL', KEYS[6], unpack(indexes, i, j))
    i = j + 1
  end
end
return written
)lua";

const std::string_view dead_letter = SERENTAK_ITEM_AT_LUA R"lua(
if redis.call('HGET', KEYS[5], ARGV[2]) ~= ARGV[3] then return -1 end
local lettered = 0
local k = 4
while k < #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[k + 1], ARGV[k + 2]) == 1 then
    lettered = lettered + 1
    redis.call('HINCRBY', KEYS[3], 'unexpected', 1)
    local e = redis.call('XRANGE', KEYS[2], ARGV[k], ARGV[k])
    local item = ''
    if e[1] then item = item_at(e[1][2], tonumber(ARGV[k + 1])) or '' end
    redis.call('XADD', KEYS[4], '*', 'i', ARGV[k + 1], 'item', item, 'deliveries', ARGV[k + 3], 'error', ARGV[k + 4])
  end
  redis.call('HDEL', KEYS[6], ARGV[k + 1])
  redis.call('XACK', KEYS[2], ARGV[1], ARGV[k])
  k = k + 5
end
return lettered
)lua";

// A push's entry (several items) is never handed on whole: one worker's crash on one item would count a
// delivery against all of them, and after --max-deliveries dead-letter items never fetched. So a
// claimed entry of several items is split: each item without a record is added again as an entry of
// its own (with "d", the deliveries it has had), in a new generation, and the entry is acknowledged.
// Only when the entry's deliveries are past the limit already is it handed to the worker whole, to be
// dead-lettered. Entries of one item go to the worker as before, their "d" added to the count.
const std::string_view reclaim = R"lua(
if redis.call('HGET', KEYS[2], ARGV[6]) ~= ARGV[7] then return redis.error_reply('SERENTAK_GONE another job') end
local max_deliveries = tonumber(ARGV[8])
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local out = {r[1], 0}
local singles = {}
local split = {}
for _, e in ipairs(r[2]) do
  if e and e[1] then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
    local n = 1
    if p[1] then n = p[1][4] end
    local f = e[2]
    local first = tonumber(f[2])
    local items = 0
    for m = 3, #f - 1, 2 do
      if f[m] == 'item' then items = items + 1 end
    end
    if f[#f - 1] == 'd' then n = n + (tonumber(f[#f]) or 0) end
    if f[1] ~= 'i' or not first or items < 2 or n > max_deliveries then
      table.insert(out, {e[1], f, n})
    else
      for m = 0, items - 1 do
        if redis.call('HEXISTS', KEYS[3], first + m) == 0 then
          table.insert(singles, {first + m, f[4 + 2 * m], n - 1})
        end
      end
      table.insert(split, e[1])
    end
  end
end
-- Every item is added again before any entry is acknowledged: a script that fails midway is not
-- rolled back, and must leave an entry pending (reclaimed and split again) rather than an item in none.
if #singles > 0 then
  table.sort(singles, function(a, b) return a[1] < b[1] end)
  local gen = redis.call('HINCRBY', KEYS[2], 'generation', 1)
  -- Above the last ID the stream gave, whatever wrote it (another program's XADD with an ID of its
  -- own, deleted since or not).
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  local top_ms = 0
  for k = 1, #info - 1, 2 do
    if info[k] == 'last-generated-id' then top_ms = tonumber(string.match(info[k + 1], '^(%d+)-')) or 0 end
  end
  if top_ms >= gen then
    gen = top_ms + 1
    redis.call('HSET', KEYS[2], 'generation', string.format('%d', gen))
  end
  local last = -1
  for _, s in ipairs(singles) do
    if s[1] ~= last then
      redis.call('XADD', KEYS[1], string.format('%d-%d', gen, s[1]), 'i', s[1], 'item', s[2], 'd', s[3])
      out[2] = out[2] + 1
      last = s[1]
    end
  end
end
for _, id in ipairs(split) do redis.call('XACK', KEYS[1], ARGV[1], id) end
return out
)lua";

// XCLAIM with a huge idle time: the next XAUTOCLAIM of any worker takes them at once instead of after
// the lease. RETRYCOUNT gives the delivery back (that XAUTOCLAIM counts one again): a worker that stops
// cleanly did not fail the item, and rolling restarts must not dead-letter a slow one. Only entries
// still pending for this consumer: one another worker reclaimed (this one's fetch outlasted the lease)
// stays with it.
const std::string_view release = R"lua(
if redis.call('HGET', KEYS[2], ARGV[3]) ~= ARGV[4] then return -1 end
local released = 0
for k = 5, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[k], ARGV[k], 1)
  if p[1] and p[1][2] == ARGV[2] then
    local count = math.max(0, p[1][4] - 1)
    -- Counted in items: an entry may hold several.
    for _, e in ipairs(redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[k], 'IDLE', '100000000000',
                                  'RETRYCOUNT', count)) do
      if e and e[2] then
        for m = 3, #e[2] - 1, 2 do
          if e[2][m] == 'item' then released = released + 1 end
        end
      end
    end
  end
end
return released
)lua";

const std::string_view renew = R"lua(
if redis.call('HGET', KEYS[2], ARGV[3]) ~= ARGV[4] then return -1 end
local renewed = 0
for k = 6, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[5], ARGV[k], ARGV[k], 1, ARGV[2])
  if p[1] then
    renewed = renewed + #redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[k], 'JUSTID')
  end
end
return renewed
)lua";

const std::string_view leave_group = R"lua(
if redis.call('HGET', KEYS[2], ARGV[3]) ~= ARGV[4] then return -1 end
if redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])[1] then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua";

// Each call takes a generation of its own, so its "<generation>-<index>" IDs (ascending indexes)
// are above the stream's top whatever ran before it: another retry, or a push (whose indexes in
// the generation it read are above every recorded one). A record is re-queued only while it still
// has the outcome the retry chose: a second retry running at once may have re-queued it already and
// a worker written a new record. The new entry is added before the record is deleted, so an error
// can never leave an item with neither.
const std::string_view requeue = SERENTAK_ITEM_AT_LUA R"lua(
if redis.call('HEXISTS', KEYS[1], 'digest') == 0 then return 0 end
local gen = redis.call('HINCRBY', KEYS[1], 'generation', 1)
local ranges = {}
for g, first in string.gmatch(redis.call('HGET', KEYS[1], 'push_generations') or '1:0', '(%d+):(%d+)') do
  ranges[#ranges + 1] = {g, tonumber(first)}
end
local added = 0
local k = 1
while k < #ARGV do
  local index, chosen = ARGV[k], ARGV[k + 1]
  local record = redis.call('HGET', KEYS[2], index)
  local decoded, fields = false, nil
  if record then decoded, fields = pcall(cjson.decode, record) end
  if decoded and type(fields) == 'table' and fields['outcome'] == chosen then
    local pushed_gen = '1'
    for _, r in ipairs(ranges) do
      if r[2] <= tonumber(index) then pushed_gen = r[1] end
    end
    -- The push's entry holding it: the last one of its generation that starts at or before it.
    local e = redis.call('XREVRANGE', KEYS[4], pushed_gen .. '-' .. index, pushed_gen .. '-0', 'COUNT', 1)
    local item = nil
    if e[1] then item = item_at(e[1][2], tonumber(index)) end
    -- An item whose entry is not found keeps its record: deleting it would lose the item.
    if item then
      redis.call('XADD', KEYS[4], gen .. '-' .. index, 'i', index, 'item', item)
      redis.call('HDEL', KEYS[2], index)
      redis.call('HDEL', KEYS[5], index)
      redis.call('HINCRBY', KEYS[3], chosen, -1)
      -- The dead stream keeps every dead letter; status counts those not since re-queued.
      if type(fields['error']) == 'string' and string.sub(fields['error'], 1, 14) == 'dead-lettered ' then
        redis.call('HINCRBY', KEYS[1], 'dead_requeued', 1)
      end
      added = added + 1
    end
  end
  k = k + 2
end
return added
)lua";

const std::string_view note_failed_attempts = R"lua(
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return -1 end
local noted = 0
for k = 3, #ARGV - 1, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[k]) == 0 then
    redis.call('HSET', KEYS[3], ARGV[k], ARGV[k + 1])
    noted = noted + 1
  end
end
return noted
)lua";

// Lua 5.1 numbers are doubles; "%.17g" keeps a fractional token level exact across calls.
const std::string_view host_lease = R"lua(
if redis.call('HGET', KEYS[5], ARGV[10]) ~= ARGV[11] then return {0, 1000, 1, ARGV[2]} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[3], now, ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 10000)
local workers = redis.call('ZCARD', KEYS[3])
local max_rate, burst, want = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tokens, last, rate, dec = burst, now, max_rate, 0
local s = redis.call('HGET', KEYS[1], ARGV[1])
if s then
  local a, b, c, d = string.match(s, '^(%S+) (%S+) (%S+) (%S+)$')
  if d then tokens, last, rate, dec = tonumber(a), tonumber(b), tonumber(c), tonumber(d) end
end
if ARGV[9] ~= '1' then rate = max_rate end
local accepted = tonumber(ARGV[6])
if ARGV[9] == '1' and accepted > 0 then rate = math.min(max_rate, rate + accepted * tonumber(ARGV[7]) / rate) end
if now > last then
  tokens = tokens + (now - last) * rate / 1000
  last = now
end
tokens = math.min(burst, tokens + tonumber(ARGV[5]))
local grant, wait = 0, 0
local until_ms = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if until_ms > now then
  wait = until_ms - now
elseif tokens >= math.min(want, burst) then
  grant = math.min(want, math.floor(tokens))
  tokens = tokens - grant
else
  wait = math.max(1, math.ceil((math.min(want, burst) - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.17g %d %.17g %d', tokens, last, rate, dec))
local taken = grant - tonumber(ARGV[5])
if taken ~= 0 then redis.call('HINCRBY', KEYS[4], ARGV[1], taken) end
return {grant, wait, workers, string.format('%.17g', rate)}
)lua";

const std::string_view host_push_back = R"lua(
if redis.call('HGET', KEYS[3], ARGV[8]) ~= ARGV[9] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pause_ms = tonumber(ARGV[2])
local until_ms = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if pause_ms > 0 and now + pause_ms > until_ms then
  until_ms = now + pause_ms
  redis.call('SET', KEYS[1], string.format('%d', until_ms), 'PX', pause_ms)
end
if ARGV[3] == '1' then
  local max_rate, burst = tonumber(ARGV[6]), tonumber(ARGV[7])
  local tokens, last, rate, dec = 0, now, max_rate, 0
  local s = redis.call('HGET', KEYS[2], ARGV[1])
  if s then
    local a, b, c, d = string.match(s, '^(%S+) (%S+) (%S+) (%S+)$')
    if d then tokens, last, rate, dec = tonumber(a), tonumber(b), tonumber(c), tonumber(d) end
  end
  if dec == 0 or now - dec >= math.max(1000, until_ms - dec) then
    rate = math.max(tonumber(ARGV[5]), rate * tonumber(ARGV[4]))
    dec = now
    redis.call('HSET', KEYS[2], ARGV[1], string.format('%.17g %d %.17g %d', math.min(tokens, burst), last, rate, dec))
  end
end
if until_ms > now then return until_ms end
return 0
)lua";

#undef SERENTAK_ITEM_AT_LUA

}  // namespace serentak::queue::scripts

namespace serentak::queue {

redis_result script_runner::run(std::string_view script, const std::vector<std::string>& keys,
                                const std::vector<std::string>& args) {
  const std::vector<std::string_view> views(args.begin(), args.end());
  return run(script, keys, std::span<const std::string_view>(views));
}

redis_result script_runner::run(std::string_view script, const std::vector<std::string>& keys,
                                std::span<const std::string_view> args) {
  std::string* sha = nullptr;
  for (auto& [text, known] : shas_) {
    if (text == script.data()) sha = &known;
  }
  for (int round = 0; round < 2; ++round) {
    if (sha == nullptr || sha->empty() || round == 1) {
      redis_result loaded = connection_.command({"SCRIPT", "LOAD", script});
      if (!loaded.ok()) return loaded;
      if (sha == nullptr) {
        shas_.emplace_back(script.data(), std::string(loaded.view().text()));
        sha = &shas_.back().second;
      } else {
        *sha = std::string(loaded.view().text());
      }
    }
    const std::string key_count = std::to_string(keys.size());
    std::vector<std::string_view> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.emplace_back("EVALSHA");
    argv.emplace_back(*sha);
    argv.emplace_back(key_count);
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    redis_result result = connection_.command(std::span<const std::string_view>(argv));
    if (!result.ok() && result.error->what == redis_error::kind::server &&
        result.error->message.starts_with("NOSCRIPT")) {
      continue;  // Redis restarted and forgot it: load it again
    }
    return result;
  }
  return redis_result{{}, redis_error{redis_error::kind::server, "NOSCRIPT twice"}};
}

redis_result release_entries(script_runner& scripts, const job_keys& keys, std::string_view consumer,
                             std::string_view identity_field, std::string_view identity_value,
                             std::span<const std::string> ids, std::size_t& released) {
  redis_result last;
  const std::vector<std::string> release_keys{keys.items, keys.meta};
  for (std::size_t at = 0; at < ids.size(); at += 1000) {
    std::vector<std::string_view> args{consumer_group, consumer, identity_field, identity_value};
    for (std::size_t k = at; k < std::min(ids.size(), at + 1000); ++k) args.push_back(ids[k]);
    last = scripts.run(scripts::release, release_keys, std::span<const std::string_view>(args));
    if (!last.ok() || last.view().integer() < 0) return last;
    released += static_cast<std::size_t>(last.view().integer());
  }
  return last;
}

}  // namespace serentak::queue
