// The scripts that keep a job's records and entries consistent, run on a real redis-server.
// record_and_ack: the first record of an item wins (one already stored, or the same item twice in
// one batch), the outcome counts and the worker's count move only for records written, and every
// entry in the batch is acknowledged. push_items and requeue: a push after a retry, and retries in
// any order, never give XADD an ID below the stream's top, never lose an item, and re-queue only
// records that still have the chosen outcome.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "queue/job_keys.hpp"
#include "queue/job_scripts.hpp"
#include "queue/redis_connection.hpp"
#include "queue/redis_endpoint.hpp"
#include "support/redis_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;

// redis-cli's arguments for record_and_ack by consumer for the job whose instance is given, records to follow
// (id index outcome line)...
std::vector<std::string> record_and_ack_call(const queue::job_keys& keys, const std::string& consumer,
                                             const std::string& instance) {
  return {"EVAL",       std::string(queue::scripts::record_and_ack),
          "6",          keys.records,
          keys.items,   keys.outcomes,
          keys.workers, keys.meta,
          keys.errors,  "workers",
          consumer,     "instance",
          instance};
}

TEST(job_record_script, the_first_record_of_an_item_wins_and_every_entry_in_the_batch_is_acknowledged) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("script");
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "100.5"});
  for (const char* id : {"1-0", "1-1", "1-2", "2-0"}) redis.cli({"XADD", keys.items, id, "i", "x", "item", "x"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});
  ASSERT_EQ(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}).empty(), false);
  redis.cli({"HSET", keys.records, "1", "stored before"});

  // Item 0 comes twice (a requeued item's two entries), item 1 already has a record, item 2 is new.
  std::vector<std::string> args = record_and_ack_call(keys, "w1", "100.5");
  const std::size_t first = args.size();  // the records: id index outcome line
  for (const auto& record : std::vector<std::vector<std::string>>{{"1-0", "0", "ok", "first of 0"},
                                                                  {"1-1", "1", "timeout", "late 1"},
                                                                  {"1-2", "2", "not_found", "only 2"},
                                                                  {"2-0", "0", "timeout", "second of 0"}})
    args.insert(args.end(), record.begin(), record.end());
  EXPECT_EQ(redis.cli(args), "2");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "0"}), "first of 0");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "1"}), "stored before");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "2"}), "only 2");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "ok"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "not_found"}), "1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.outcomes, "timeout"}), "0");
  EXPECT_EQ(redis.cli({"HGET", keys.workers, "w1"}), "2");
  EXPECT_EQ(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}), "") << "every entry acknowledged";

  // The whole batch again (a resend after a lost reply): nothing written, nothing counted.
  EXPECT_EQ(redis.cli(args), "0");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "ok"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.workers, "w1"}), "2");

  args[first + 1] = "9";  // item 0 becomes item 9, which has no record
  // The job deleted and pushed again: another job, whose item 9 is another item. Nothing is stored.
  redis.cli({"HSET", keys.meta, "instance", "200.7"});
  EXPECT_EQ(redis.cli(args), "-1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.records, "9"}), "0");
  redis.cli({"DEL", keys.meta});  // the job deleted: nothing is stored
  EXPECT_EQ(redis.cli(args), "-1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.records, "9"}), "0");
  // A job an earlier serentak pushed has no instance: its created_ms tells it apart.
  redis.cli({"HSET", keys.meta, "spec", "{}", "created_ms", "1700000000000"});
  args[first - 2] = "created_ms";
  args[first - 1] = "1700000000000";
  EXPECT_EQ(redis.cli(args), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "9"}), "first of 0");
}

// Notes of failed attempts (for dead letters): kept only for an item of this job that has no record
// yet, and gone once the item has one, whichever way it got it: a worker's record (not only the
// noting worker's), a dead letter, a retry that starts the item again.
TEST(job_record_script, a_note_of_a_failed_attempt_lives_only_while_its_item_of_this_job_has_no_record) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("notes");
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "100.5", "digest", "d", "generation", "1"});
  for (const char* index : {"0", "1", "2", "3"})
    redis.cli({"XADD", keys.items, std::string("1-") + index, "i", index, "item", "x"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});
  redis.cli({"HSET", keys.records, "3", R"({"outcome":"timeout"})"});
  auto note = [&](const std::string& instance, const std::string& index, const std::string& text) {
    return redis.cli({"EVAL", std::string(queue::scripts::note_failed_attempts), "3", keys.meta, keys.records,
                      keys.errors, "instance", instance, index, text});
  };
  EXPECT_EQ(note("200.1", "0", "attempt 1: timeout"), "-1") << "another job under the name";
  EXPECT_EQ(redis.cli({"EXISTS", keys.errors}), "0");
  EXPECT_EQ(note("100.5", "3", "attempt 1: timeout"), "0") << "item 3 has a record: a late attempt is not noted";
  for (const char* index : {"0", "1", "2"}) EXPECT_EQ(note("100.5", index, "attempt 1: server_error 503"), "1");
  EXPECT_EQ(note("100.5", "0", "attempt 2: timeout"), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.errors, "0"}), "attempt 2: timeout") << "the latest note wins";

  // Item 0 finished by another worker on its first attempt: its note goes with the record.
  EXPECT_EQ(redis.cli({"EVAL", std::string(queue::scripts::record_and_ack), "6", keys.records, keys.items,
                       keys.outcomes, keys.workers, keys.meta, keys.errors, "workers", "w2", "instance", "100.5", "1-0",
                       "0", "not_found", "a record"}),
            "1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.errors, "0"}), "0");
  // Item 1 dead-lettered: its note is in the letter (the worker's text), and gone from the hash.
  EXPECT_EQ(redis.cli({"EVAL", std::string(queue::scripts::dead_letter), "6", keys.records, keys.items, keys.outcomes,
                       keys.dead, keys.meta, keys.errors, "workers", "instance", "100.5", "1-1", "1", "dead record",
                       "6", "dead-lettered"}),
            "1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.errors, "1"}), "0");
  // Item 2's note stays while it has no record; item 3, re-queued by a retry, starts again with none.
  redis.cli({"HSET", keys.errors, "3", "attempt 1: stale"});
  EXPECT_EQ(redis.cli({"EVAL", std::string(queue::scripts::requeue), "5", keys.meta, keys.records, keys.outcomes,
                       keys.items, keys.errors, "3", "timeout"}),
            "1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.errors, "3"}), "0");
  EXPECT_EQ(redis.cli({"HGET", keys.errors, "2"}), "attempt 1: server_error 503");
}

// renew: a worker keeps what is still its own (the idle time reset, no delivery counted) and leaves
// what another worker took from it (it was stopped past its lease) or what is acknowledged; nothing for
// another job under the name.
TEST(job_record_script, renew_resets_only_the_workers_own_pending_entries_and_counts_no_delivery) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("renew");
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "100.5"});
  for (const char* id : {"1-0", "1-1", "1-2"}) redis.cli({"XADD", keys.items, id, "i", "0", "item", "x"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "3", "STREAMS", keys.items, ">"});
  redis.cli({"XCLAIM", keys.items, "workers", "w2", "0", "1-1"});  // taken over by w2
  redis.cli({"XACK", keys.items, "workers", "1-2"});               // finished
  std::this_thread::sleep_for(200ms);
  auto renew = [&](const std::string& instance, const std::string& min_idle_ms) {
    return redis.cli({"EVAL", std::string(queue::scripts::renew), "2", keys.items, keys.meta, "workers", "w1",
                      "instance", instance, min_idle_ms, "1-0", "1-1", "1-2"});
  };
  EXPECT_EQ(renew("200.1", "100"), "-1") << "another job under the name";
  EXPECT_EQ(renew("100.5", "60000"), "0") << "idle less than the minimum: no write needed";
  EXPECT_EQ(renew("100.5", "100"), "1");
  auto entry = [&](const std::string& id) {  // "id consumer idle deliveries", one per line
    return redis.cli({"XPENDING", keys.items, "workers", "IDLE", "0", id, id, "1"});
  };
  const std::string mine = entry("1-0");
  EXPECT_NE(mine.find("w1"), std::string::npos) << mine;
  EXPECT_EQ(mine.substr(mine.find_last_of('\n') + 1), "1") << "no delivery counted: " << mine;
  EXPECT_EQ(redis.cli({"XPENDING", keys.items, "workers", "IDLE", "150", "-", "+", "10"}).find("1-0"),
            std::string::npos)
      << "its idle time was reset";
  EXPECT_NE(entry("1-1").find("w2"), std::string::npos) << "left to the worker that took it";
  EXPECT_EQ(entry("1-2"), "") << "acknowledged: not claimed back";
}

// leave_group: a worker ending leaves the consumer group only with nothing pending for it (deleting a
// consumer drops its pending entries, which no reclaim would then find), and not another job's.
TEST(job_record_script, leave_group_deletes_the_consumer_only_when_nothing_is_pending_for_it) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("leave");
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "100.5"});
  for (const char* id : {"1-0", "1-1"}) redis.cli({"XADD", keys.items, id, "i", "0", "item", "x"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "1", "STREAMS", keys.items, ">"});
  redis.cli({"XGROUP", "CREATECONSUMER", keys.items, "workers", "w2"});
  auto leave = [&](const std::string& consumer, const std::string& instance) {
    return redis.cli({"EVAL", std::string(queue::scripts::leave_group), "2", keys.items, keys.meta, "workers", consumer,
                      "instance", instance});
  };
  auto consumers = [&] { return redis.cli({"XINFO", "CONSUMERS", keys.items, "workers"}); };
  EXPECT_EQ(leave("w1", "100.5"), "0") << "1-0 is pending for w1";
  EXPECT_NE(consumers().find("w1"), std::string::npos) << consumers();
  EXPECT_EQ(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10", "w1"}).substr(0, 3), "1-0");
  EXPECT_EQ(leave("w2", "200.1"), "-1") << "another job under the name";
  EXPECT_NE(consumers().find("w2"), std::string::npos) << consumers();
  EXPECT_EQ(leave("w2", "100.5"), "1");
  EXPECT_EQ(consumers().find("w2"), std::string::npos) << consumers();
  redis.cli({"XACK", keys.items, "workers", "1-0"});
  EXPECT_EQ(leave("w1", "100.5"), "1") << "acknowledged: nothing pending";
  EXPECT_EQ(consumers(), "");
}

TEST(job_record_script, dead_letter_stores_a_record_and_a_dead_entry_only_for_its_own_job) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("dead");
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "100.000005"});
  redis.cli({"XADD", keys.items, "1-0", "i", "0", "item", "poison"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});
  auto dead_letter = [&](const std::string& instance) {
    return redis.cli({"EVAL", std::string(queue::scripts::dead_letter), "6", keys.records, keys.items, keys.outcomes,
                      keys.dead, keys.meta, keys.errors, "workers", "instance", instance, "1-0", "0", "dead record",
                      "6", "delivered 6 times"});
  };
  // Another job under the name (deleted and pushed again): nothing stored, nothing acknowledged.
  EXPECT_EQ(dead_letter("200.000001"), "-1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.records, "0"}), "0");
  EXPECT_EQ(redis.cli({"XLEN", keys.dead}), "0");
  EXPECT_NE(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}), "");

  EXPECT_EQ(dead_letter("100.000005"), "1") << "the items it dead-lettered";
  EXPECT_EQ(redis.cli({"HGET", keys.records, "0"}), "dead record");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "unexpected"}), "1");
  std::string dead = redis.cli({"XRANGE", keys.dead, "-", "+"});
  EXPECT_NE(dead.find("poison"), std::string::npos) << dead;
  EXPECT_NE(dead.find("delivered 6 times"), std::string::npos) << dead;
  EXPECT_EQ(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}), "") << "acknowledged";
  // Again (another worker reclaimed it too): the record is there, nothing is lettered twice, and the
  // count says so (the worker's closing line adds it up).
  EXPECT_EQ(dead_letter("100.000005"), "0");
  EXPECT_EQ(redis.cli({"XLEN", keys.dead}), "1");
}

// An entry of several items (a push writes up to 50 in one): its items' records go in without
// acknowledging it ("" for an ID) until the last one's. Reclaimed, it is never handed on whole (a crash
// on one item would count a delivery against all of them): its items without a record are added again as
// entries of their own, in a new generation, carrying the delivery they had ("d"), and it is
// acknowledged. Those then count their own deliveries, d included; an entry whose deliveries are past the
// limit already is handed over whole, to be dead-lettered, with every item's text.
TEST(job_record_script, an_entry_of_several_items_is_acknowledged_with_its_last_record_and_split_when_reclaimed) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("chunks");
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "100.5", "digest", "d", "pushed", "0", "generation", "1"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0", "MKSTREAM"});
  std::vector<std::string> push{
      "EVAL", std::string(queue::scripts::push_items), "2", keys.meta, keys.items, "d", "0", "cbf29ce484222325", "x",
      "3"};
  for (int k = 0; k < 5; ++k) push.insert(push.end(), {std::to_string(k), "item" + std::to_string(k)});
  ASSERT_EQ(redis.cli(push), "5");
  EXPECT_EQ(redis.cli({"XLEN", keys.items}), "2") << "3 items an entry here: 1-0 (0-2) and 1-3 (3-4)";
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});
  auto store = [&](const std::vector<std::string>& records) {  // (id index outcome line)...
    std::vector<std::string> args = record_and_ack_call(keys, "w1", "100.5");
    args.insert(args.end(), records.begin(), records.end());
    return redis.cli(args);
  };
  auto pending = [&] { return redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}); };
  EXPECT_EQ(store({"", "0", "ok", "r0", "", "4", "ok", "r4"}), "2");
  EXPECT_NE(pending().find("1-0"), std::string::npos) << "items 1 and 2 are not recorded yet";
  EXPECT_NE(pending().find("1-3"), std::string::npos) << "item 3 is not recorded yet";
  EXPECT_EQ(store({"", "1", "ok", "r1", "1-0", "2", "ok", "r2"}), "2");
  EXPECT_EQ(pending().find("1-0"), std::string::npos) << "acknowledged with its last record";

  // w1 dies holding 1-3 (item 4 recorded, 3 not): w2 reclaims it.
  std::this_thread::sleep_for(20ms);
  auto reclaim = [&](const std::string& consumer, const std::string& max_deliveries) {
    return redis.cli({"EVAL", std::string(queue::scripts::reclaim), "3", keys.items, keys.meta, keys.records, "workers",
                      consumer, "10", "0-0", "10", "instance", "100.5", max_deliveries});
  };
  EXPECT_EQ(reclaim("w2", "5"), "0-0\n1");  // cursor, one item split out, nothing handed over
  EXPECT_EQ(pending(), "") << "the entry is acknowledged";
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "generation"}), "2");
  const std::string split = redis.cli({"XRANGE", keys.items, "2-0", "+"});
  EXPECT_EQ(split, "2-3\ni\n3\nitem\nitem3\nd\n1") << "item 3 alone, with its one delivery";

  // Read by w3, which dies too: reclaimed, it is handed over whole, its deliveries counting d.
  redis.cli({"XREADGROUP", "GROUP", "workers", "w3", "COUNT", "10", "STREAMS", keys.items, ">"});
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(reclaim("w4", "5"), "0-0\n0\n2-3\ni\n3\nitem\nitem3\nd\n1\n3");

  // Another program added an entry with a larger ID and deleted it: the stream takes only IDs above the
  // last it gave, so the split's go above that, and nothing is acknowledged before they are added.
  redis.cli({"XACK", keys.items, "workers", "2-3"});  // w4 finished item 3
  redis.cli({"XADD", keys.items, "2-7", "i", "7", "item", "a", "item", "b"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w5", "COUNT", "10", "STREAMS", keys.items, ">"});
  redis.cli({"XADD", keys.items, "99-0", "other", "x"});
  redis.cli({"XDEL", keys.items, "99-0"});
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(reclaim("w6", "5"), "0-0\n2");
  EXPECT_EQ(redis.cli({"XRANGE", keys.items, "100-0", "+"}), "100-7\ni\n7\nitem\na\nd\n1\n100-8\ni\n8\nitem\nb\nd\n1");
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "generation"}), "100");

  // An entry of several items already past the limit is handed over whole (for its dead letters).
  redis.cli({"DEL", keys.records, keys.items});
  redis.cli({"XADD", keys.items, "1-0", "i", "0", "item", "a", "item", "b"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(reclaim("w2", "1"), "0-0\n0\n1-0\ni\n0\nitem\na\nitem\nb\n2");
  // The dead letters read each item's own text out of the entry, and the entry is acknowledged.
  EXPECT_EQ(redis.cli({"EVAL",      std::string(queue::scripts::dead_letter),
                       "6",         keys.records,
                       keys.items,  keys.outcomes,
                       keys.dead,   keys.meta,
                       keys.errors, "workers",
                       "instance",  "100.5",
                       "1-0",       "0",
                       "dead a",    "2",
                       "e",         "1-0",
                       "1",         "dead b",
                       "2",         "e"}),
            "2");
  const std::string dead = redis.cli({"XRANGE", keys.dead, "-", "+"});
  EXPECT_NE(dead.find("item\na\n"), std::string::npos) << dead;
  EXPECT_NE(dead.find("item\nb\n"), std::string::npos) << dead;
  EXPECT_EQ(pending(), "");
}

// reclaim and release, the way a worker runs them (script_runner over a redis_connection), against
// a job deleted and pushed again under the name: reclaim's refusal must be recognisable in the
// message the worker sees (Redis 7 puts "ERR " before some), and release must take nothing. Within
// the job, release gives back the delivery it does not use.
TEST(job_record_script, reclaim_and_release_take_nothing_from_another_job_and_release_only_what_is_still_held) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("other");
  std::string problem;
  auto endpoint = queue::parse_redis_endpoint(redis.url("other"), problem);
  ASSERT_TRUE(endpoint.has_value()) << problem;
  queue::redis_connection connection(*endpoint, queue::redis_timeouts{});
  ASSERT_FALSE(connection.connect().has_value());
  queue::script_runner scripts(connection);
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "300.000001"});
  for (const char* id : {"1-0", "1-1"}) redis.cli({"XADD", keys.items, id, "i", "0", "item", "x"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});

  // A worker of an older job under this name (instance 200...): refused, nothing claimed.
  auto reclaimed =
      scripts.run(queue::scripts::reclaim, {keys.items, keys.meta, keys.records},
                  std::vector<std::string>{"workers", "w2", "0", "0-0", "10", "instance", "200.000001", "5"});
  ASSERT_FALSE(reclaimed.ok());
  EXPECT_TRUE(queue::scripts::is_gone_error(reclaimed.error->message)) << reclaimed.error->message;
  EXPECT_TRUE(reclaimed.error->message.starts_with(queue::scripts::gone_error)) << "its own code, not Redis's ERR";
  auto released = scripts.run(queue::scripts::release, {keys.items, keys.meta},
                              std::vector<std::string>{"workers", "w1", "instance", "200.000001", "1-0", "1-1"});
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released.view().integer(), -1);
  std::string pending = redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"});
  EXPECT_EQ(pending.find("w2"), std::string::npos) << pending;

  // This job's own worker w2 reclaims 1-1 (w1's fetch outlasted the lease); w1 then stops and
  // releases what it still holds: 1-0 only, idle for years; 1-1 stays with w2.
  auto own = scripts.run(queue::scripts::reclaim, {keys.items, keys.meta, keys.records},
                         std::vector<std::string>{"workers", "w2", "0", "1-1", "1", "instance", "300.000001", "5"});
  ASSERT_TRUE(own.ok()) << own.error->message;
  released = scripts.run(queue::scripts::release, {keys.items, keys.meta},
                         std::vector<std::string>{"workers", "w1", "instance", "300.000001", "1-0", "1-1"});
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released.view().integer(), 1);
  auto entries = connection.command({"XPENDING", keys.items, "workers", "-", "+", "10"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries.view().size(), 2U);
  EXPECT_EQ(entries.view()[0][0].text(), "1-0");
  EXPECT_GT(entries.view()[0][2].integer(), 10'000'000'000LL) << "released: idle for years";
  EXPECT_EQ(entries.view()[0][3].integer(), 0) << "its one delivery given back: it was not tried to the end";
  EXPECT_EQ(entries.view()[1][0].text(), "1-1");
  EXPECT_EQ(entries.view()[1][1].text(), "w2");

  // Released and reclaimed over and over (a fleet restarted again and again): an entry's delivery
  // count stays at the one delivery it is on, so it is never dead-lettered for it.
  for (int round = 0; round < 8; ++round) {
    auto taken =
        scripts.run(queue::scripts::reclaim, {keys.items, keys.meta, keys.records},
                    std::vector<std::string>{"workers", "w3", "60000", "1-0", "1", "instance", "300.000001", "5"});
    ASSERT_TRUE(taken.ok()) << taken.error->message;
    ASSERT_EQ(taken.view().size(), 3U) << "round " << round << ": the released entry is taken at once";
    EXPECT_EQ(taken.view()[2][2].integer(), 1) << "round " << round << ": its deliveries";
    released = scripts.run(queue::scripts::release, {keys.items, keys.meta},
                           std::vector<std::string>{"workers", "w3", "instance", "300.000001", "1-0"});
    ASSERT_TRUE(released.ok());
    EXPECT_EQ(released.view().integer(), 1);
  }
}

std::string record(int index, const std::string& outcome) {
  return "{\"index\":" + std::to_string(index) + ",\"outcome\":\"" + outcome + "\",\"data\":{\"outcome\":\"ok\"}}";
}

// Two pushes of lists of different lengths at once: where the shorter one ended inside the other's chunk
// there is no digest to compare with. The chunk is refused (nothing added) rather than stored with a
// digest that would vouch for items nobody compared.
TEST(job_record_script, a_chunk_straddling_the_stored_items_digest_is_refused) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("straddle");
  redis.cli({"HSET", keys.meta, "spec", "{}", "digest", "d", "pushed", "0", "generation", "1"});
  auto push = [&](int count, const std::string& prefix, const std::string& after) {
    std::vector<std::string> args{"EVAL",     std::string(queue::scripts::push_items),
                                  "2",        keys.meta,
                                  keys.items, "d",
                                  "0",        "cbf29ce484222325",
                                  after,      "50"};
    for (int k = 0; k < count; ++k) {
      args.push_back(std::to_string(k));
      args.push_back(prefix + std::to_string(k));
    }
    return redis.cli(args);
  };
  EXPECT_EQ(push(500, "a", "aaaa"), "500");
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "items_digest"}), "500 aaaa");
  EXPECT_NE(push(1000, "b", "bbbb").find("SERENTAK_ALIGN 500"), std::string::npos);
  EXPECT_EQ(redis.cli({"XLEN", keys.items}), "10") << "500 items, 50 an entry";
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "items_digest"}), "500 aaaa");
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "pushed"}), "500");
}

TEST(job_record_script, pushes_and_retries_in_any_order_keep_entry_ids_rising_and_every_item_findable) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("order");
  // A job an earlier serentak pushed and retried: generation 3, entries "1-0" "1-1" and the old
  // retry entries "2-1" "3-1", no push_generations.
  redis.cli({"HSET", keys.meta, "spec", "{}", "digest", "d", "pushed", "2", "generation", "3"});
  for (const char* id : {"1-0", "1-1", "2-1", "3-1"}) {
    std::string index = std::string(id).substr(2);
    redis.cli({"XADD", keys.items, id, "i", index, "item", "item" + index});
  }
  auto push = [&](const std::string& start, std::vector<std::string> items) {
    std::vector<std::string> args{
        "EVAL", std::string(queue::scripts::push_items), "2", keys.meta, keys.items, "d", start, "aaaa", "bbbb", "50"};
    for (std::size_t k = 0; k < items.size(); ++k) {
      args.push_back(std::to_string(std::stoul(start) + k));
      args.push_back(items[k]);
    }
    return redis.cli(args);
  };
  auto requeue = [&](const std::vector<std::string>& index_outcome) {
    std::vector<std::string> args{
        "EVAL",     std::string(queue::scripts::requeue), "5", keys.meta, keys.records, keys.outcomes, keys.items,
        keys.errors};
    args.insert(args.end(), index_outcome.begin(), index_outcome.end());
    return redis.cli(args);
  };

  // The push goes on in generation 3, above the old retry entry "3-1". The earlier serentak left no
  // items digest, and none is started halfway (it would cover only the items after 2).
  EXPECT_EQ(push("2", {"item2", "item3"}), "2");
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "push_generations"}), "1:0 3:2");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.meta, "items_digest"}), "0");
  redis.cli({"HSET", keys.records, "0", record(0, "timeout"), "1", record(1, "timeout"), "2", record(2, "ok"), "3",
             record(3, "timeout")});
  redis.cli({"HSET", keys.outcomes, "timeout", "3", "ok", "1"});

  // A retry of 0 and 3 (3 found among the entries generation 3 pushed); 2's record is ok now (a
  // second retry re-queued it and a worker answered), so it stays.
  EXPECT_EQ(requeue({"0", "timeout", "2", "timeout", "3", "timeout"}), "2");
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "generation"}), "4");
  EXPECT_EQ(redis.cli({"XRANGE", keys.items, "4-0", "4-0"}).find("item0") != std::string::npos, true);
  EXPECT_EQ(redis.cli({"XRANGE", keys.items, "4-3", "4-3"}).find("item3") != std::string::npos, true);
  EXPECT_EQ(redis.cli({"HEXISTS", keys.records, "2"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "timeout"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "ok"}), "1");

  // The push continues after that retry, then a retry of a lower index than the push's top: each
  // above the stream's top.
  // A digest an older serentak's push left behind (it covers 3 items, the job has 4) checks nothing and
  // is dropped.
  redis.cli({"HSET", keys.meta, "items_digest", "3 cccc"});
  EXPECT_EQ(push("4", {"item4"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.meta, "push_generations"}), "1:0 3:2 4:4");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.meta, "items_digest"}), "0");
  EXPECT_EQ(requeue({"1", "timeout"}), "1");
  EXPECT_EQ(redis.cli({"XRANGE", keys.items, "5-1", "5-1"}).find("item1") != std::string::npos, true);
  redis.cli({"HSET", keys.records, "4", record(4, "timeout")});
  EXPECT_EQ(requeue({"4", "timeout"}), "1");
  EXPECT_EQ(redis.cli({"XRANGE", keys.items, "6-4", "6-4"}).find("item4") != std::string::npos, true);

  // A record whose item has no entry (nothing to re-queue it from) is kept, not lost.
  redis.cli({"HSET", keys.records, "9", record(9, "timeout")});
  EXPECT_EQ(requeue({"9", "timeout"}), "0");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.records, "9"}), "1");

  // A deleted job: nothing happens, and meta is not brought back.
  redis.cli({"DEL", keys.meta});
  redis.cli({"HSET", keys.records, "2", record(2, "timeout")});
  EXPECT_EQ(requeue({"2", "timeout"}), "0");
  EXPECT_EQ(redis.cli({"EXISTS", keys.meta}), "0");
  EXPECT_EQ(redis.cli({"XLEN", keys.items}), "10") << "item2 and item3 in one entry";
}

// The shared host rate's scripts, run by a worker of a job deleted under it (maybe pushed again):
// they must not bring back the bucket, the live workers or the tokens taken, which a job pushed again
// under the name would inherit (a lowered --adaptive rate, the old count of requests sent).
TEST(job_record_script, host_rate_scripts_touch_nothing_of_another_job) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("polite");
  const std::string host = "http://127.0.0.1:1";
  auto lease = [&](const std::string& instance) {
    return redis.cli({"EVAL", std::string(queue::scripts::host_lease), "5", keys.hostrate, keys.pause_prefix + host,
                      keys.hostrate_workers, keys.hostrate_taken, keys.meta, host, "10", "2", "1", "0", "0", "1", "w1",
                      "1", "instance", instance});
  };
  auto push_back = [&](const std::string& instance) {
    return redis.cli({"EVAL", std::string(queue::scripts::host_push_back), "3", keys.pause_prefix + host, keys.hostrate,
                      keys.meta, host, "5000", "1", "0.5", "0.1", "10", "2", "instance", instance});
  };
  // Deleted: no meta at all.
  lease("300.000001");
  push_back("300.000001");
  EXPECT_EQ(redis.cli({"KEYS", "serentak:polite:*"}), "") << "nothing recreated for a deleted job";
  // Pushed again: another instance.
  redis.cli({"HSET", keys.meta, "spec", "{}", "instance", "400.000001"});
  EXPECT_EQ(lease("300.000001").substr(0, 1), "0") << "nothing granted to another job's worker";
  push_back("300.000001");
  EXPECT_EQ(redis.cli({"EXISTS", keys.hostrate, keys.hostrate_workers, keys.hostrate_taken, keys.pause_prefix + host}),
            "0");
  // The job's own worker: its bucket, its pause, its live worker.
  lease("400.000001");
  push_back("400.000001");
  EXPECT_EQ(redis.cli({"EXISTS", keys.hostrate, keys.hostrate_workers, keys.hostrate_taken, keys.pause_prefix + host}),
            "4");
}

}  // namespace
}  // namespace serentak
