# serentak: the commands a newcomer and CI run. Each target installs what it needs first
# (scripts/install-deps.sh is idempotent and skips what is present; it needs root for apt-get).

PRESET  ?= release
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
SERENTAK = build/$(PRESET)/apps/serentak/serentak

FUZZ_SECONDS ?= 20

.PHONY: all deps deps-bench build demo test test-asan test-tsan test-sanitizers soak fuzz bench bench-quick install format clean

all: build

deps:
	@bash scripts/install-deps.sh

deps-bench:
	@bash scripts/install-deps.sh --bench

# Only the program: the tests are built by `make test`.
build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS) --target serentak

# The embedded mock server plus all five seed clients, at once; logs land in build/demo.
demo: build
	$(SERENTAK) demo --log-dir build/demo

# Debug build with warnings as errors, then every test.
test: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev -j $(JOBS)

test-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

test-sanitizers: test-asan test-tsan

# Issue 5's soak: 100,000 requests at -c 1000 against the mock server with 2% random faults, client
# and server both the asan preset's binary; checks records, log lines, flat RSS and sanitizer output.
soak: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS) --target serentak
	bash tests/soak/soak.sh build/asan/apps/serentak/serentak

# The libFuzzer targets in fuzz/ (clang 14, ASan+UBSan), each run FUZZ_SECONDS from its committed
# corpus in fuzz/corpus; fails on any finding (see docs/reliability.md).
fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	bash fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

# 10,000 connects at once overflow the default accept queue (4096): SOMAXCONN raises it for the
# whole of bench/run-all.sh (root only; a warning otherwise), and bench/lib.sh restores it after.
bench: deps-bench
	$(MAKE) build PRESET=release
	SOMAXCONN=$${SOMAXCONN:-16384} bash bench/run-all.sh build/release/apps/serentak/serentak

# Issue 19's hot-path figures in one table, under 3 minutes: run it before and after a change.
bench-quick: deps-bench
	$(MAKE) build PRESET=release
	SOMAXCONN=$${SOMAXCONN:-16384} bash bench/quick.sh build/release/apps/serentak/serentak

install: build
	cmake --install build/$(PRESET) --prefix $(PREFIX)

format:
	find src apps tests -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf build
