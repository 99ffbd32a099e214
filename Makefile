# pliant - one plain Makefile. See README.md for the targets.
#   make                 build/pliant and build/libpliant.a
#   make check           everything under ASan+UBSan: unit, CLI, fuzz replay,
#                        conformance; ends with "N passed, N failed"
#   make demo            simulate a training history and show it
#   make bench           benchmarks against the reference tools
#   make fuzz            run the libFuzzer targets (FUZZ_SECONDS each)
#   make install         PREFIX=/usr/local DESTDIR=
#   make SANITIZE=address,undefined   any build with sanitizers
#   make deps            install the missing Debian packages

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
SANITIZE ?=
FUZZ_SECONDS ?= 60

PKGS := sqlite3 expat libarchive libdeflate nettle libical yaml-0.1 jansson
WARN := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wvla
OPT ?= -O2
CFLAGS ?= $(OPT) -g
# lib/ headers are private and named by their stage: #include "store/store.h".
# (Nothing in lib/ may be named like a C library header: lib/limits.h once
# shadowed <limits.h>.)
CPPFLAGS += -Iinclude -iquote lib -D_GNU_SOURCE
$(if $(wildcard lib/limits.h lib/*/limits.h),$(error a limits.h in lib/ would shadow <limits.h>: the limits live in lib/base/pl_limits.h))
ALL_CFLAGS = -std=c17 $(WARN) $(CFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif
ifneq ($(PKGS),)
CPPFLAGS += $(shell pkg-config --cflags $(PKGS))
LDLIBS += $(shell pkg-config --libs $(PKGS))
endif
LDLIBS += -lm

# lib/ is one folder per stage (docs/internals/layers.md).
LIB_SRC := $(sort $(wildcard lib/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
# Files built into the library as data (tools/embed.sh): the store's schema
# and the default protocol.
LIB_OBJ += $(BUILD)/gen/schema.o $(BUILD)/gen/protocol-hamstrings.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz-*.c))
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%-replay)
MAN := $(sort $(wildcard docs/man/*.1))

.PHONY: all check check-build demo bench fuzz install deps clean profile

all: $(BUILD)/pliant $(BUILD)/libpliant.a

$(BUILD)/%.o: %.c include/pliant.h $(wildcard lib/*/*.h) $(wildcard cli/*.h) | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/gen/schema.c: lib/store/schema.sql tools/embed.sh
	@mkdir -p $(dir $@)
	tools/embed.sh pl__schema_sql lib/store/schema.sql >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/protocol-hamstrings.c: protocols/hamstrings.yaml tools/embed.sh
	@mkdir -p $(dir $@)
	tools/embed.sh pl__protocol_hamstrings protocols/hamstrings.yaml >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libpliant.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pliant: $(CLI_OBJ) $(BUILD)/libpliant.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/helpers.h $(BUILD)/libpliant.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpliant.a \
		$(shell pkg-config --cflags --libs cmocka) $(LDLIBS)

# The fuzz targets built with a plain main() that replays a corpus.
$(BUILD)/fuzz/%-replay: fuzz/%.c fuzz/replay-main.c $(wildcard fuzz/*.h) $(BUILD)/libpliant.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< fuzz/replay-main.c $(BUILD)/libpliant.a $(LDLIBS)

# make check: a sanitizer build of everything in build-check/, then the
# test runner, which prints the closing "N passed, N failed" line. A build
# error is counted as a failure there (-k: the rest is built and tested).
check: deps-quiet
	$(MAKE) --no-print-directory -k BUILD=build-check SANITIZE=address,undefined,float-cast-overflow OPT=-O1 check-build; \
	BUILD=build-check BUILD_STATUS=$$? tests/run-all.sh

check-build: $(BUILD)/pliant $(UNIT_BIN) $(FUZZ_REPLAY)

demo: all
	tools/demo.sh $(BUILD)/pliant

bench: all
	bench/run.sh $(BUILD)/pliant

# libFuzzer builds (clang); corpus under fuzz/corpus/<target>/.
fuzz: deps-quiet
	tools/fuzz.sh $(FUZZ_SECONDS)

# Regenerate lib/formats/fitprofile.c from the official SDK's published profile.
profile:
	tools/gen-fitprofile.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/pliant/protocols
	install -m 755 $(BUILD)/pliant $(DESTDIR)$(PREFIX)/bin/pliant
	install -m 644 $(BUILD)/libpliant.a $(DESTDIR)$(PREFIX)/lib/libpliant.a
	install -m 644 include/pliant.h $(DESTDIR)$(PREFIX)/include/pliant.h
	install -m 644 protocols/*.yaml $(DESTDIR)$(PREFIX)/share/pliant/protocols/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define PL_VERSION "\(.*\)"/\1/p' include/pliant.h)|g' \
		-e 's|@LIBS@|$(LDLIBS)|g' -e 's|@REQUIRES@|$(PKGS)|g' \
		tools/pliant.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pliant.pc
	$(if $(MAN),install -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/)

deps:
	tools/deps.sh install

# Runs tools/deps.sh only when something is missing (a quick dpkg query).
deps-quiet:
	@tools/deps.sh check-or-install

clean:
	rm -rf build build-check build-fuzz
