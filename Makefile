# Makefile - build, test and benchmark mtasim.
#   make                      build ./mtasim (build objects in build/)
#   make test                 unit tests + config corpus; ends "N passed, M failed"
#   make SANITIZE=address,undefined test    the same under ASan/UBSan (build-san/)
#   make WERROR=1             warnings are errors (CI)
#   make fuzz [FUZZ_SECONDS=N]  libFuzzer on the config parser (clang)
#   make deps                 install the Debian packages (or print the command)
#   make install [PREFIX=/usr/local]   binary, models, plots, man page
#   make fresh-check          the README's commands on a fresh Debian 12 (root)
#   make plots RUN=DIR [COMPARE=DIR_B]   draw a run's reports (gnuplot)
#   make check-headers | format | format-check | clean | V=1
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
# have no .pc file), "cmd" a program on PATH. "build" entries are needed to
# compile; "run" entries only by some commands and tests (plots).
BUILD_DEPS := pkg-config:cmd:pkg-config libgsl-dev:pc:gsl \
              libcjson-dev:pc:libcjson libpcre2-dev:pc:libpcre2-8 \
              zlib1g-dev:pc:zlib librandom123-dev:hdr:Random123/philox.h
RUN_DEPS   := gnuplot-nox:cmd:gnuplot
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

test: $(TESTS) $(PROG)
	@MTASIM=./$(PROG) tests/run.sh $(TESTS) tests/config/run.sh tests/config/seed.sh tests/cli.sh tests/plots.sh tests/install.sh tests/acct.sh tests/report.sh

# bench - the 1 M and 10 M recipient scenarios (7 days, 5 providers and a
# long tail, 16 source IPs); prints wall time, events/s, recipients/s and
# peak RSS. Figures are printed, not asserted.
BENCH ?= bench-1m bench-10m
bench: $(PROG)
	@for b in $(BENCH); do echo "== $$b"; \
	    ./$(PROG) run scenarios/bench/$$b.json --out build/bench/$$b | \
	    grep -E 'simulated|engine'; done

# Fuzzing: clang's libFuzzer + ASan/UBSan on the config parser.
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz: build-fuzz/fuzz_config
	@mkdir -p build-fuzz/corpus
	build-fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -timeout=5 -rss_limit_mb=1024 build-fuzz/corpus tests/config
build-fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(SRC) $(wildcard sim/*/*.h)
	@mkdir -p build-fuzz
	clang $(STD) -Isim $(PKG_CFLAGS) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_config.c \
	    $(SRC) $(PKG_LIBS) -lm

# install - the binary, its models and plot scripts, and a man page made
# from the help texts. The binary finds models and plots in
# PREFIX/share/mtasim from its own location, so DESTDIR staging works.
PREFIX  ?= /usr/local
VERSION := $(shell sed -n 's/^\#define MTASIM_VERSION "\(.*\)"/\1/p' sim/main.c)
MAN_CMDS ?= check run gen compare plot "plan capacity" "plan warmup" report
install: $(PROG) build/mtasim.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mtasim/models \
	    $(DESTDIR)$(PREFIX)/share/mtasim/plots $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/mtasim
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
	rm -rf build build-san build-fuzz mtasim mtasim-san
.PHONY: all test bench deps pkgcheck install uninstall fresh-check fuzz plots check-headers format format-check clean
.SECONDARY:
-include $(OBJ:.o=.d) $(BUILD)/$(MAIN:.c=.d) $(TESTS:=.d)
