# serentak: the commands a newcomer and CI run. Each target installs what it needs first
# (scripts/install-deps.sh is idempotent and skips what is present; it needs root for apt-get).

PRESET  ?= release
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
SERENTAK = build/$(PRESET)/apps/serentak/serentak

FUZZ_SECONDS ?= 10

.PHONY: all deps deps-test deps-bench deps-package deps-screenshots build demo screenshots test test-asan test-tsan test-sanitizers soak fuzz bench \
        bench-quick install deb package-test format clean

all: build

# Only what building the program needs; the tests, benchmarks and packaging add theirs.
deps:
	@bash scripts/install-deps.sh

deps-test:
	@bash scripts/install-deps.sh --test

deps-bench:
	@bash scripts/install-deps.sh --bench

deps-package:
	@bash scripts/install-deps.sh --package

deps-screenshots:
	@bash scripts/install-deps.sh --screenshots

# Only the program, its man pages and completions: the tests are built by `make test`.
build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS) --target serentak serentak_docs

# The embedded mock server plus all five seed clients, at once; logs land in build/demo.
demo: build
	$(SERENTAK) demo --log-dir build/demo

# The live dashboard's three seed views (pizza board, weather tiles, a monitor's table) as PNGs in
# docs/img, by headless Chromium against `serentak serve` on loopback (see docs/dashboard.md).
screenshots: build deps-screenshots
	bash scripts/screenshots.sh $(SERENTAK) docs/img

# Debug build with warnings as errors, then every test.
test: deps-test
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev -j $(JOBS)

test-asan: deps-test
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-tsan: deps-test
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

test-sanitizers: test-asan test-tsan

# Issue 5's soak: 100,000 requests at -c 1000 against the mock server with 2% random faults, client
# and server both the asan preset's binary; checks records, log lines, flat RSS and sanitizer output.
soak: deps-test
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS) --target serentak
	bash tests/soak/soak.sh build/asan/apps/serentak/serentak

# The libFuzzer targets in fuzz/ (clang 14, ASan+UBSan), each run FUZZ_SECONDS from its committed
# corpus in fuzz/corpus; fails on any finding (see docs/reliability.md).
fuzz: deps-test
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

# A stripped binary in $(PREFIX)/bin, man pages in share/man/man1, bash, zsh and fish completions.
install: build
	cmake --install build/$(PRESET) --prefix $(PREFIX) --strip

# build/$(PRESET)/packages/serentak_<version>_<arch>.deb (CPack; Depends from dpkg-shlibdeps).
deb: build deps-package
	cpack --config build/$(PRESET)/CPackConfig.cmake -B build/$(PRESET)/packages
	dpkg-deb -I build/$(PRESET)/packages/serentak_*.deb | sed -n '/Depends/p'

# Installs that .deb with apt-get on this machine (root) and runs what a user would first.
package-test: deb
	bash scripts/package-test.sh build/$(PRESET)/packages

format:
	find src apps tests -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf build
