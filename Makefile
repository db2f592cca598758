# nslab — plain Makefile. `make`, `make check`, `make demo`, `make install`.
VERSION    := 0.1.0
SOVERSION  := 0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR    ?=

CC      ?= cc
B       ?= build
PKGS    := libnl-3.0 libnl-route-3.0 libmnl yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	   -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -D_GNU_SOURCE -Ilink \
	      -DNSLAB_VERSION='"$(VERSION)"' -Iinclude -Icore $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS  := $(PKG_LIBS)

MODULES := core netns link veth bridge addr route launch nic topo
LIB_SRC := $(sort $(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/%)
# The test-hooks variant: the library again with -DNSLAB_TEST_HOOKS (env vars that make it
# pause, crash or time out early, for tests), linked only into $(B)/tests/nslab-hooks. Nothing
# built by `all` or installed contains a hook.
HOOKS_OBJ := $(LIB_SRC:%.c=$(B)/hooks/%.o)
HOOKS_BIN := $(B)/tests/nslab-hooks

.PHONY: all deps check demo install clean unit fuzz bench
all: $(B)/nslab $(B)/libnslab.a $(B)/libnslab.so.$(SOVERSION) $(B)/nslab.pc

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/hooks/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (test hooks)"
	@$(CC) $(ALL_CFLAGS) -DNSLAB_TEST_HOOKS -MMD -MP -c $< -o $@

$(B)/libnslab.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@$(AR) rcs $@ $^

$(B)/libnslab.so.$(SOVERSION): $(LIB_OBJ) libnslab.map
	@echo "  CCLD    $@"
	@$(CC) -shared -Wl,-soname,libnslab.so.$(SOVERSION) -Wl,--version-script=libnslab.map \
		$(LDFLAGS) -o $@ $(LIB_OBJ) $(LDLIBS)
	@ln -sf libnslab.so.$(SOVERSION) $(B)/libnslab.so

$(B)/nslab: $(CLI_OBJ) $(B)/libnslab.a
	@echo "  CCLD    $@"
	@$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libnslab.a $(LDLIBS)

$(HOOKS_BIN): $(CLI_OBJ) $(HOOKS_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(HOOKS_OBJ) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libnslab.a tests/unit/tap.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) -fvisibility=default -Itests/unit -o $@ $< $(B)/libnslab.a $(LDFLAGS) $(LDLIBS)

$(B)/tests/%: tests/helpers/%.c $(B)/libnslab.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(B)/libnslab.a $(LDFLAGS) $(LDLIBS)

$(B)/nslab.pc: nslab.pc.in
	@mkdir -p $(B)
	@sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' $< > $@

unit: $(UNIT_BIN) $(HELPER_BIN) $(HOOKS_BIN)

deps:
	@tools/deps.sh build

# Everything: unit, integration, CLI, bad inputs, sanitizers, valgrind, fuzz. Last line: N passed, N failed.
check:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory all unit
	@tests/run.sh

demo:
	@tools/deps.sh demo
	@$(MAKE) --no-print-directory all
	@tests/sandbox.sh tools/demo.sh

fuzz: all
	@tests/fuzz/run.sh

bench:
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	@bench/run.sh 100 3

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/nslab \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(B)/nslab $(DESTDIR)$(BINDIR)/nslab
	install -m 0644 $(B)/libnslab.a $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(B)/libnslab.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libnslab.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libnslab.so
	install -m 0644 include/nslab/*.h $(DESTDIR)$(INCLUDEDIR)/nslab/
	install -m 0644 $(B)/nslab.pc $(DESTDIR)$(PKGCONFIGDIR)/
	for m in man/*.8; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/; done; true
	for m in man/*.5; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/; done; true

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(HOOKS_OBJ:.o=.d)
