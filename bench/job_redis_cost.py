"""Redis's own CPU per job item, fed the way `serentak job work` feeds it, with no worker and no
HTTP server running (100 items per XREADGROUP and per record script; a worker at -c 250 reads up to
250). Layouts:
  items    the one in use: a stream entry per item, the real `record_and_ack` script from
           src/queue/job_scripts.cpp (an HSETNX per record);
  ackonly  its stream part alone: read and acknowledge, no record stored;
  bitmap   a prototype: a stream entry per item, one BITFIELD setting every item's done bit (the
           old bits say which records are new) and one hash field per batch of records;
  chunks   a prototype: a stream entry and one record field per CHUNK items.
  chunkfields  the same with a field per item (one HSET per entry), as `job collect` and `job retry`
           read records today; stored only while the entry is pending for the consumer.
Three more take the record script apart, to see what each part costs:
  direct   no script and no first-record-wins check (not exact): one HSET of the batch's records,
           one field per item, then one XACK;
  blob     the same with the batch's records as one field;
  lean     blob in a script behind an exact check instead of HSETNX: XCLAIM ... JUSTID says which
           entries are still pending (an item is recorded exactly when its entry is acknowledged).
           A batch not wholly pending is refused (-2) after that XCLAIM has taken its entries.
serentak uses only `items`; the others were measured for the design of issue 18.

Usage: job_redis_cost.py PORT REDIS_PID RECORDS.jsonl SCRIPTS.cpp LAYOUT [CHUNK]
RECORDS.jsonl is what `serentak fetch -o` wrote: the record with index i is item i's (the header line,
without an index, is skipped). bench/job_redis_cost.sh makes it and starts the Redis.
The work phase starts once an AOF rewrite the push set off has ended. With READY_FILE and START_FILE
set, READY_FILE is then created and the work phase waits (up to 600 s) for START_FILE to exist:
bench/job_layout_estimate.sh starts it beside HTTP load. Prints Redis's CPU (with its reaped children: the
AOF rewrite) for the work phase only, per item, and used_memory at the end.
"""
import json
import os
import re
import socket
import sys
import time

BITMAP_SCRIPT = """
-- KEYS records items outcomes workers meta done; ARGV group consumer batch_key, then per record:
-- id index outcome "index<TAB>line". One BITFIELD sets every item's done bit and returns the old
-- ones: an item's first record wins; the batch's new records are stored as one field.
local ops, n = {}, 0
local k = 4
while k < #ARGV do
  ops[#ops + 1] = 'SET'; ops[#ops + 1] = 'u1'; ops[#ops + 1] = ARGV[k + 1]; ops[#ops + 1] = 1
  k = k + 4
end
local old = redis.call('BITFIELD', KEYS[6], unpack(ops))
local lines, counts, ids, written = {}, {}, {}, 0
k = 4
local r = 1
while k < #ARGV do
  if old[r] == 0 then
    lines[#lines + 1] = ARGV[k + 3]
    counts[ARGV[k + 2]] = (counts[ARGV[k + 2]] or 0) + 1
    written = written + 1
  end
  ids[#ids + 1] = ARGV[k]
  k = k + 4
  r = r + 1
end
if written > 0 then
  redis.call('HSET', KEYS[1], ARGV[3], table.concat(lines, '\\n'))
  for outcome, c in pairs(counts) do redis.call('HINCRBY', KEYS[3], outcome, c) end
  redis.call('HINCRBY', KEYS[5], 'recorded', written)
  redis.call('HINCRBY', KEYS[4], ARGV[2], written)
end
redis.call('XACK', KEYS[2], ARGV[1], unpack(ids))
return written
"""

LEAN_SCRIPT = """
-- KEYS records items outcomes workers meta; ARGV group consumer batch_key counts blob, then the
-- entry IDs. Measures the check only: a batch whose entries are not all pending is refused (-2).
if redis.call('EXISTS', KEYS[5]) == 0 then return -1 end
local ids = {}
for k = 6, #ARGV do ids[#ids + 1] = ARGV[k] end
ids[#ids + 1] = 'JUSTID'
local held = redis.call('XCLAIM', KEYS[2], ARGV[1], ARGV[2], 0, unpack(ids))
ids[#ids] = nil
if #held ~= #ids then return -2 end
redis.call('XACK', KEYS[2], ARGV[1], unpack(ids))
redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
for outcome, n in string.gmatch(ARGV[4], '([%w_]+):(%d+)') do redis.call('HINCRBY', KEYS[3], outcome, n) end
redis.call('HINCRBY', KEYS[4], ARGV[2], #ids)
return #ids
"""

CHUNK_SCRIPT = """
-- KEYS records items outcomes workers meta; ARGV group consumer, then per entry: id n counts blob.
-- Stored only while the entry is still pending (not split off or recorded), once per entry.
local written = 0
local k = 3
while k < #ARGV do
  local id = ARGV[k]
  local p = redis.call('XPENDING', KEYS[2], ARGV[1], id, id, 1)
  if p[1] and redis.call('HSETNX', KEYS[1], id, ARGV[k + 3]) == 1 then
    for outcome, n in string.gmatch(ARGV[k + 2], '([%w_]+):(%d+)') do redis.call('HINCRBY', KEYS[3], outcome, n) end
    written = written + tonumber(ARGV[k + 1])
  end
  redis.call('XACK', KEYS[2], ARGV[1], id)
  k = k + 4
end
if written > 0 then
  redis.call('HINCRBY', KEYS[5], 'recorded', written)
  redis.call('HINCRBY', KEYS[4], ARGV[2], written)
end
return written
"""

CHUNK_FIELDS_SCRIPT = """
-- KEYS records items outcomes workers meta; ARGV group consumer, then per entry: id n counts and n
-- pairs (index, line). An entry's records are stored, one field each, only while the entry is
-- still pending for this consumer (so none of its items has a record yet), with its XACK.
local written = 0
local k = 3
while k < #ARGV do
  local id, n = ARGV[k], tonumber(ARGV[k + 1])
  local p = redis.call('XPENDING', KEYS[2], ARGV[1], id, id, 1, ARGV[2])
  if p[1] then
    redis.call('HSET', KEYS[1], unpack(ARGV, k + 3, k + 2 + 2 * n))
    for outcome, c in string.gmatch(ARGV[k + 2], '([%w_]+):(%d+)') do redis.call('HINCRBY', KEYS[3], outcome, c) end
    redis.call('XACK', KEYS[2], ARGV[1], id)
    written = written + n
  end
  k = k + 3 + 2 * n
end
if written > 0 then redis.call('HINCRBY', KEYS[4], ARGV[2], written) end
return written
"""


def main():
    port, redis_pid, records_path, scripts_path, layout = sys.argv[1:6]
    if layout not in ('items', 'ackonly', 'bitmap', 'chunks', 'chunkfields', 'direct', 'blob', 'lean'):
        sys.exit(f'unknown layout {layout!r}: items, ackonly, bitmap, chunks, chunkfields, direct, blob or lean')
    chunk = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    by_index = {}
    for line in open(records_path, 'rb'):
        record = json.loads(line)
        if 'index' in record:
            by_index[record['index']] = line.rstrip(b'\n')
    count = max(by_index) + 1 if by_index else 0
    if len(by_index) != count:
        sys.exit(f'{records_path}: {count - len(by_index)} of indexes 0..{count - 1} have no record')
    lines = [by_index[i] for i in range(count)]
    sock = socket.create_connection(('127.0.0.1', int(port)))
    replies = sock.makefile('rb')

    def encode(*args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(a), a))
        return b''.join(out)

    def parse():
        line = replies.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b'+':
            return rest
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else replies.read(n + 2)[:-2]
        n = int(rest)
        return None if n < 0 else [parse() for _ in range(n)]

    def command(*args):
        sock.sendall(encode(*args))
        return parse()

    def pipeline(commands):
        sock.sendall(b''.join(commands))
        for _ in commands:
            parse()

    def redis_cpu():
        fields = open(f'/proc/{redis_pid}/stat').read().rsplit(')', 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf('SC_CLK_TCK')

    n_items = len(lines)
    command('XGROUP', 'CREATE', 'items', 'workers', '0', 'MKSTREAM')
    batch = []
    per_item = layout not in ('chunks', 'chunkfields')
    if per_item:
        source = open(scripts_path).read()
        script = re.search(r'record_and_ack = R"lua\((.*?)\)lua"', source, re.S).group(1)
        for i in range(n_items):
            batch.append(encode('XADD', 'items', '1-%d' % i, 'i', i, 'item', 'u%d' % (i + 1)))
            if len(batch) == 1000:
                pipeline(batch)
                batch = []
    else:
        script = CHUNK_SCRIPT if layout == 'chunks' else CHUNK_FIELDS_SCRIPT
        for first in range(0, n_items, chunk):
            args = ['XADD', 'items', '1-%d' % first, 'i', first]
            for i in range(first, min(n_items, first + chunk)):
                args += ['item', 'u%d' % (i + 1)]
            batch.append(encode(*args))
            if len(batch) == 100:
                pipeline(batch)
                batch = []
    if batch:
        pipeline(batch)
    if layout == 'bitmap':
        script = BITMAP_SCRIPT
    elif layout == 'lean':
        script = LEAN_SCRIPT
    # record_and_ack stores nothing for another job than the one named by meta's instance
    command('HSET', 'meta', 'spec', '{}', 'instance', '1.0')
    sha = command('SCRIPT', 'LOAD', script).decode()
    give_up = time.time() + 600
    while any(line in (b'aof_rewrite_in_progress:1', b'aof_rewrite_scheduled:1')
              for line in command('INFO', 'persistence').split(b'\r\n')):
        if time.time() > give_up:
            sys.exit('job_redis_cost.py: the AOF rewrite after the push did not end within 600 s')
        time.sleep(0.05)
    if os.environ.get('READY_FILE') and os.environ.get('START_FILE'):
        open(os.environ['READY_FILE'], 'w').close()
        give_up = time.time() + 600
        while not os.path.exists(os.environ['START_FILE']):
            if time.time() > give_up:
                sys.exit('job_redis_cost.py: no start signal within 600 s')
            time.sleep(0.01)

    cpu_before, started, done = redis_cpu(), time.time(), 0
    keys = ['records', 'items', 'outcomes', 'workers', 'meta']
    while True:
        count = 100 if per_item else 1
        reply = command('XREADGROUP', 'GROUP', 'workers', 'w1', 'COUNT', count, 'STREAMS', 'items', '>')
        if not reply or not reply[0][1]:
            break
        entries = reply[0][1]
        if layout == 'bitmap':
            args = ['EVALSHA', sha, 6, *keys, 'done', 'workers', 'w1', 'w1:%d' % done]
            for entry_id, fields in entries:
                index = int(fields[1])
                args += [entry_id, index, 'not_found', b'%d\t%s' % (index, lines[index])]
            command(*args)
            done += len(entries)
        elif layout in ('direct', 'blob'):
            ids = [e[0] for e in entries]
            indexes = [int(fields[1]) for _, fields in entries]
            if layout == 'direct':
                store = ['HSET', 'records'] + [x for i in indexes for x in (i, lines[i])]
            else:
                store = ['HSET', 'records', 'w1:%d' % done, b'\n'.join(b'%d\t%s' % (i, lines[i]) for i in indexes)]
            pipeline([encode(*store), encode('XACK', 'items', 'workers', *ids)])
            done += len(entries)
        elif layout == 'lean':
            blob = b'\n'.join(b'%s\t%s' % (fields[1], lines[int(fields[1])]) for _, fields in entries)
            written = command('EVALSHA', sha, len(keys), *keys, 'workers', 'w1', 'w1:%d' % done,
                              'not_found:%d' % len(entries), blob, *[e[0] for e in entries])
            if written != len(entries):
                raise RuntimeError(f'lean: {written} of {len(entries)} recorded')
            done += len(entries)
        elif layout == 'ackonly':
            command('XACK', 'items', 'workers', *[e[0] for e in entries])
            done += len(entries)
        elif layout == 'items':
            args = ['EVALSHA', sha, len(keys) + 1, *keys, 'errors', 'workers', 'w1', 'instance', '1.0']
            for entry_id, fields in entries:
                index = int(fields[1])
                args += [entry_id, index, 'not_found', lines[index]]
            command(*args)
            done += len(entries)
        elif layout == 'chunkfields':
            for entry_id, fields in entries:
                first, n = int(fields[1]), (len(fields) - 2) // 2
                pairs = [x for i in range(first, first + n) for x in (i, lines[i])]
                command('EVALSHA', sha, len(keys), *keys, 'workers', 'w1', entry_id, n, 'not_found:%d' % n, *pairs)
                done += n
        else:
            for entry_id, fields in entries:
                first, n = int(fields[1]), (len(fields) - 2) // 2
                blob = b''.join(b'%d\tnot_found\t%s\n' % (i, lines[i]) for i in range(first, first + n))
                command('EVALSHA', sha, len(keys), *keys, 'workers', 'w1', entry_id, n, 'not_found:%d' % n, blob)
                done += n
    cpu = redis_cpu() - cpu_before
    memory = [l for l in command('INFO', 'memory').decode().split('\r\n') if l.startswith('used_memory:')][0]
    recorded = command('HLEN', 'records')
    print(f'| {layout} | {1 if per_item else chunk} | {done} | {cpu:.2f} s | {1e6 * cpu / max(done, 1):.2f} us '
          f'| {time.time() - started:.1f} s | {int(memory.split(":")[1]) / 1e6:.0f} MB | {recorded} |')


if __name__ == '__main__':
    main()
