# Makefile - build, test and benchmark mtasim.
#   make                      build ./mtasim (build objects in build/)
#   make test                 unit tests + config corpus; ends "N passed, M failed"
#   make SANITIZE=address,undefined test    the same under ASan/UBSan (build-san/)
#   make WERROR=1             warnings are errors (CI)
#   make fuzz [FUZZ_SECONDS=N]  libFuzzer on every reader and a whole run (clang)
#   make deps                 install the Debian packages (or print the command)
#   make fidelity             the provider models against published warm-ups
#   make install [PREFIX=/usr/local]   binary, models, plots, man page
#   make fresh-check          the README's commands on a fresh Debian 12 (root)
#   make plots RUN=DIR [COMPARE=DIR_B]   draw a run's reports (gnuplot)
#   make check-headers | format | format-check | clean | V=1
#   make coverage             unit tests built with gcc --coverage (build-cov/);
#                             prints the line coverage of sim/mta/
CC      ?= cc
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla \
           -Wdouble-promotion -Wundef -Wpointer-arith -fno-common
OPT     ?= -O2
DEBUG   ?= -g
# The Debian packages mtasim needs: the one list. Each entry is
# PACKAGE:HOW:WHAT, where HOW says how to tell it is installed: "pc" a
# pkg-config module, "hdr" a header that compiles (header-only libraries
# have no .pc file), "cmd" a program on PATH, "py" a Python module that
# imports. "build" entries are needed to compile; "run" entries only by some
# commands and tests (plots, bench, the scenario schema test).
BUILD_DEPS := pkg-config:cmd:pkg-config libgsl-dev:pc:gsl \
              libcjson-dev:pc:libcjson libpcre2-dev:pc:libpcre2-8 \
              zlib1g-dev:pc:zlib librandom123-dev:hdr:Random123/philox.h \
              nettle-dev:pc:nettle
RUN_DEPS   := gnuplot-nox:cmd:gnuplot time:cmd:/usr/bin/time patch:cmd:patch \
              python3-jsonschema:py:jsonschema
DEB_PKGS   := $(foreach d,$(BUILD_DEPS) $(RUN_DEPS),$(firstword $(subst :, ,$(d))))
PKGS       := $(foreach d,$(BUILD_DEPS),$(if $(findstring :pc:,$(d)),$(lastword $(subst :, ,$(d)))))
ifdef WERROR
WARN    += -Werror
endif
ifdef SANITIZE
SAN     := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CPPFLAGS = -Isim $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(STD) $(WARN) $(OPT) $(DEBUG) $(SAN) $(CFLAGS)
ALL_LDFLAGS  = $(SAN) $(LDFLAGS)
LIBS         = $(PKG_LIBS) -lm

BUILD   := build$(if $(SANITIZE),-san)
MAIN    := sim/main.c
SRC     := $(filter-out $(MAIN),$(shell find sim -name '*.c' | LC_ALL=C sort))
OBJ     := $(SRC:%.c=$(BUILD)/%.o)
TESTS   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
PROG    := mtasim$(if $(SANITIZE),-san)
PGO_BIN := build-pgo/mtasim
ifndef V
QUIET_CC = @echo '   CC $@';
QUIET_LD = @echo '   LD $@';
endif

all: $(PROG)

$(PROG): $(BUILD)/$(MAIN:.c=.o) $(OBJ)
	$(QUIET_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(OBJ)
	$(QUIET_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# missing_pkgs LIST - a shell command printing the packages of LIST that are
# not installed, each checked the way its entry says.
missing_pkgs = for d in $(1); do pkg=$${d%%:*}; how=$${d\#*:}; what=$${how\#*:}; \
	    case $${how%%:*} in \
	    pc)  pkg-config --exists "$$what" 2>/dev/null ;; \
	    hdr) printf '\#include <%s>\n' "$$what" | \
	         $(CC) $(CPPFLAGS) -fsyntax-only -xc - >/dev/null 2>&1 ;; \
	    cmd) command -v "$$what" >/dev/null 2>&1 ;; \
	    py)  python3 -c "import $$what" >/dev/null 2>&1 ;; \
	    esac || printf '%s ' "$$pkg"; done

# pkgcheck - fail early, naming the missing packages, before compiling.
pkgcheck:
	@miss=$$($(call missing_pkgs,$(BUILD_DEPS))); [ -z "$$miss" ] || { \
	    echo "missing Debian packages: $$miss- run 'make deps'" >&2; exit 1; }

# deps - install every package of the list that is missing (as root), or
# print the apt-get command; then check them all again.
deps:
	@miss=$$($(call missing_pkgs,$(BUILD_DEPS) $(RUN_DEPS))); \
	if [ -z "$$miss" ]; then echo "deps: all present ($(DEB_PKGS))"; \
	elif [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing $$miss"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq --no-install-recommends $$miss || exit 1; \
	    miss=$$($(call missing_pkgs,$(BUILD_DEPS) $(RUN_DEPS))); \
	    [ -z "$$miss" ] || { echo "deps: still missing after install: $$miss" >&2; exit 1; }; \
	    echo "deps: all present ($(DEB_PKGS))"; \
	else \
	    echo "deps: missing $$miss- run as root:  apt-get install -y $$miss" >&2; exit 1; \
	fi

# the fuzz harnesses, built with $(CC) and a plain main (tests/fuzz/replay.c)
REPLAY  := $(patsubst %,$(BUILD)/fuzz/replay_%,config scenario model sendlist acct run)
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz_util.h tests/fuzz/fuzz_sendlist.c $(OBJ)
	@mkdir -p $(dir $@)
	$(QUIET_LD)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    tests/fuzz/replay.c $(OBJ) $(LIBS)

test: $(TESTS) $(PROG) $(REPLAY)
	@MTASIM=./$(PROG) REPLAY_DIR=$(BUILD)/fuzz tests/run.sh $(TESTS) tests/config/run.sh tests/config/lenient.sh tests/config/seed.sh tests/cli.sh tests/plots.sh tests/install.sh tests/fit.sh tests/plan.sh tests/schema.sh tests/bad/run.sh tests/fuzz/replay.sh tests/acct.sh tests/report.sh

# bench - the 1 M and 10 M recipient scenarios (7 days, 5 providers and a
# long tail, 16 source IPs); prints wall time, events/s, recipients/s and
# peak RSS. Figures are printed, not asserted.
# Each run's CPU time is printed too (the machine may be shared), and the
# floor: a plain binary-heap hold loop of as many events (tests/bench/),
# and the memory a deferred recipient costs (tests/bench/backlog.sh).
# Seconds vary with the load of a shared machine, so the run loop's
# instructions per recipient are counted too (valgrind, when installed;
# tests/bench/instructions.sh): the figure to compare two builds by.
BENCH ?= bench-1m bench-10m
FLOOR_PENDING ?= 1024
# PGO=0 times the plain build instead of the installed one.
BENCH_PROG := $(if $(filter 0,$(PGO)),$(PROG),$(PGO_BIN))
bench: $(if $(filter 0,$(PGO)),$(PROG),pgo) $(PROG) $(BUILD)/bench/heap_floor
	@echo "binary: $(BENCH_PROG)"
	@for b in $(BENCH); do echo "== $$b"; \
	    /usr/bin/time -f '  cpu: %U s user, %S s system, %M kB peak' \
	    ./$(BENCH_PROG) run scenarios/bench/$$b.json --out build/bench/$$b 2>&1 | \
	    grep -E 'simulated|engine|cpu:'; done
	@$(BUILD)/bench/heap_floor $(FLOOR_PENDING) 30000000
	@sh tests/bench/backlog.sh ./$(BENCH_PROG)
	@sh tests/bench/instructions.sh ./$(PROG)
$(BUILD)/bench/heap_floor: tests/bench/heap_floor.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(STD) $(OPT) -o $@ $<

# Fuzzing: clang's libFuzzer with ASan and UBSan (clang's UBSan also
# catches float-to-int overflows) on every reader and on a whole run; see
# tests/fuzz/README.md. Library objects are built once (build-fuzz/), each
# target links them with its harness. `make fuzz` runs every target for
# FUZZ_SECONDS on its seed corpus (tests/fuzz/corpus-NAME, read only) plus
# a working corpus in build-fuzz/; a finding stops it.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_TARGETS := config scenario model sendlist acct run
FUZZ_SAN     := -fsanitize=address,undefined,float-cast-overflow \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(STD) -g -O1 $(FUZZ_SAN)
FUZZ_OBJ     := $(SRC:%.c=build-fuzz/%.o)
FUZZ_BIN     := $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
FUZZ_OPTS    ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
# a small quarantine and short allocation stacks: a third more runs/s
FUZZ_ASAN    ?= quarantine_size_mb=16:malloc_context_size=4
fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do echo "== fuzz_$$t ($(FUZZ_SECONDS) s)"; \
	    export ASAN_OPTIONS=$${ASAN_OPTIONS:-$(FUZZ_ASAN)}; \
	    mkdir -p build-fuzz/corpus-$$t; \
	    build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_OPTS) \
	        $$(cat tests/fuzz/options-$$t 2>/dev/null) \
	        build-fuzz/corpus-$$t tests/fuzz/corpus-$$t 2>build-fuzz/$$t.log || \
	        { tail -n 40 build-fuzz/$$t.log; exit 1; }; \
	    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)|DONE' \
	        build-fuzz/$$t.log; done
fuzz-build: $(FUZZ_BIN)
build-fuzz/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -MMD -MP -c -o $@ $<
# an archive, so each target links (and instruments, and libFuzzer scans)
# only the modules it uses: fewer counters per run, more runs per second
build-fuzz/libmtasim.a: $(FUZZ_OBJ)
	$(QUIET_LD)rm -f $@ && ar rcs $@ $^
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h tests/fuzz/fuzz_sendlist.c build-fuzz/libmtasim.a
	$(QUIET_LD)$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ \
	    $< build-fuzz/libmtasim.a $(PKG_LIBS) -lm

# install - the binary, its models and plot scripts, and a man page made
# from the help texts. The binary finds models and plots in
# PREFIX/share/mtasim from its own location, so DESTDIR staging works.
PREFIX  ?= /usr/local
VERSION := $(shell sed -n 's/^\#define MTASIM_VERSION "\(.*\)"/\1/p' sim/cli/cli.h)
MAN_CMDS ?= check run gen compare plot "plan capacity" "plan warmup" report fit
install: pgo build/mtasim.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mtasim/models \
	    $(DESTDIR)$(PREFIX)/share/mtasim/plots $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PGO_BIN) $(DESTDIR)$(PREFIX)/bin/mtasim
	install -m 644 models/*.json $(DESTDIR)$(PREFIX)/share/mtasim/models
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/mtasim/plots
	install -m 644 build/mtasim.1 $(DESTDIR)$(PREFIX)/share/man/man1/mtasim.1
uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/mtasim $(DESTDIR)$(PREFIX)/share/mtasim \
	    $(DESTDIR)$(PREFIX)/share/man/man1/mtasim.1

# build/mtasim.1 - the man page: 'mtasim --help' and each command's --help
# as sections (roff-escaped: backslashes, and lines that start with a dot).
build/mtasim.1: $(PROG)
	@mkdir -p build
	@{ echo '.TH MTASIM 1 "" "mtasim $(VERSION)" "User Commands"'; \
	  echo '.SH NAME'; echo 'mtasim \- PowerMTA delivery-throttling simulator and capacity planner'; \
	  echo '.SH SYNOPSIS'; echo '.nf'; ./$(PROG) --help | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; echo '.fi'; \
	  for c in $(MAN_CMDS); do echo ".SH \"$$c\"" | tr a-z A-Z; echo '.nf'; \
	    ./$(PROG) $$c --help | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; echo '.fi'; done; } > $@.tmp
	@mv $@.tmp $@

# fresh-check - the README's set-up commands on a minimal Debian 12 root
# with nothing installed by hand (root, debootstrap; see the script).
fresh-check:
	tests/fresh-check.sh

plots: $(PROG)
	@test -n "$(RUN)" || { echo "usage: make plots RUN=DIR [COMPARE=DIR_B]" >&2; exit 2; }
	./$(PROG) plot '$(RUN)' $(if $(COMPARE),--compare '$(COMPARE)')

HDRS    := $(shell find sim -name '*.h')
check-headers:
	@for h in $(HDRS); do echo "#include \"$${h#sim/}\"" | \
	    $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fsyntax-only -xc - || exit 1; done
FMT_SRC := $(shell find sim tests -name '*.[ch]')
format:
	clang-format -i $(FMT_SRC)
format-check:
	clang-format --dry-run -Werror $(FMT_SRC)
clean:
	rm -rf build build-san build-fuzz build-cov build-pgo mtasim mtasim-san
.PHONY: all test bench deps pkgcheck install uninstall fresh-check fuzz fuzz-build plots check-headers format format-check clean
# coverage - the unit tests built with --coverage in build-cov/, run, and
# gcov's line coverage of each sim/mta/ file and of the directory.
COV_SRC ?= $(wildcard sim/mta/*.c)
coverage:
	@$(MAKE) --no-print-directory BUILD=build-cov PROG=build-cov/mtasim \
	    OPT=-O0 CFLAGS=--coverage LDFLAGS=--coverage build-cov/mtasim \
	    $(patsubst tests/%.c,build-cov/tests/%,$(wildcard tests/test_*.c))
	@find build-cov -name '*.gcda' -delete
	@MTASIM=./build-cov/mtasim tests/run.sh $(patsubst tests/%.c,build-cov/tests/%,$(wildcard tests/test_*.c)) | \
	    tail -n 1
	@for f in $(COV_SRC); do gcov -n -o build-cov/$$(dirname $$f) $$f; done | \
	    awk '/^File/ { f = $$2; gsub("\x27", "", f) } \
	         /^Lines executed/ && f ~ /^sim\/.*\.c$$/ { split($$2, a, "[:%]"); \
	             n = $$4; hit = a[2] * n / 100; printf "%-28s %6.2f%% of %d\n", f, a[2], n; \
	             H += hit; N += n; f = "" } \
	         END { if (N) printf "%-28s %6.2f%% of %d lines\n", "total", 100 * H / N, N }'
.PHONY: coverage
# fidelity - the shipped models against published warm-up schedules
# (tests/fidelity/run.sh, docs/providers.md); about 2.5 minutes of CPU.
# fidelity-plan - point 8: `plan warmup` against the KumoMTA preset and
# the published envelope over 30 days (tests/fidelity/plan.sh; about 15
# minutes of CPU); fidelity runs it over the first 14 days.
fidelity: $(PROG)
	@MTASIM=./$(PROG) tests/run.sh tests/fidelity/run.sh
	@MTASIM=./$(PROG) PLAN_DAYS=14 tests/run.sh tests/fidelity/plan.sh
fidelity-plan: $(PROG)
	@MTASIM=./$(PROG) tests/run.sh tests/fidelity/plan.sh
.PHONY: fidelity fidelity-plan
.SECONDARY:
-include $(OBJ:.o=.d) $(BUILD)/$(MAIN:.c=.d) $(TESTS:=.d)
-include $(wildcard build-fuzz/sim/*/*.d)
# pgo - mtasim built with gcc's profile-guided and link-time optimisation in
# build-pgo/ (what `make install` installs and `make bench` times): an
# instrumented build runs two days of bench-1m, then every object is
# compiled again with that profile (hot code together: fewer
# instruction-cache misses) and the link optimises across modules (the
# layers' small calls on the hot path are inlined: about 5 % faster). The
# outputs are the same (ISO C, so no contraction of floating-point
# operations, and no -ffast-math; tests/install.sh compares them). Redone
# when the plain build changes.
pgo: build-pgo/.stamp
# -flto=auto: the link's optimisation runs in parallel under make's jobs.
PGO_LTO := -flto=auto
# It starts from an empty build-pgo/ and clears SANITIZE for its sub-makes:
# `make SANITIZE=... test` runs `make install` (tests/install.sh), whose
# sub-makes would otherwise inherit it and mix sanitized objects in.
build-pgo/.stamp: $(PROG)
	@rm -rf build-pgo
	@$(MAKE) --no-print-directory SANITIZE= BUILD=build-pgo PROG=build-pgo/mtasim-gen \
	    CFLAGS="$(PGO_LTO) -fprofile-generate -fprofile-update=single" \
	    LDFLAGS="$(PGO_LTO) -fprofile-generate" build-pgo/mtasim-gen
	@find build-pgo -name '*.gcda' -delete
	@./build-pgo/mtasim-gen run scenarios/bench/bench-1m.json --duration 2d \
	    --out build-pgo/train --force -q
	@find build-pgo -name '*.o' -delete
	@rm -f $(PGO_BIN)
	@$(MAKE) --no-print-directory SANITIZE= BUILD=build-pgo PROG=$(PGO_BIN) \
	    CFLAGS="$(PGO_LTO) -fprofile-use -fprofile-correction -Wno-missing-profile" \
	    LDFLAGS="$(PGO_LTO) -fprofile-use" $(PGO_BIN)
	@touch $@
.PHONY: pgo
