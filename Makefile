# SPDX-License-Identifier: GPL-2.0-or-later
# nslab — plain Makefile. `make`, `make check`, `make demo`, `make install`, `make uninstall`,
# `make deb`. Install paths (PREFIX, DESTDIR, BINDIR, LIBDIR, LIBEXECDIR, INCLUDEDIR, MANDIR,
# PKGCONFIGDIR, COMPLETIONDIR) and CPPFLAGS, CFLAGS, LDFLAGS are taken from the command line or
# the environment, as dpkg-buildflags expects; WERROR=0 drops -Werror (distribution builds).
VERSION    := 0.1.0
SOVERSION  := 0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/libexec
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=
WERROR     ?= 1

CC      ?= cc
B       ?= build
PKGS    := libnl-3.0 libnl-route-3.0 libmnl yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	   -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -D_GNU_SOURCE -Ilink \
	      -DNSLAB_VERSION='"$(VERSION)"' -DNSLAB_LIBEXECDIR='"$(LIBEXECDIR)"' -Iinclude -Icore $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS  := $(PKG_LIBS)
# The programs are position-independent executables (their objects are -fPIC already).
BIN_LDFLAGS := -pie

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
# Section 3: one page per public header, made from its doc comments (man/gen-man3.sh).
HEADERS := $(sort $(wildcard include/nslab/*.h))
MAN3 := $(patsubst include/nslab/%.h,$(B)/man/nslab_%.3,$(filter-out %/nslab.h,$(HEADERS))) \
	$(B)/man/nslab.3

.PHONY: all deps check demo install uninstall deb clean unit fuzz bench
# nslab-supervise, the PID 1 of a lab node (launch/supervisor/): libc only, so that each node
# costs little memory. It shares the libnl-free parts of the library by object file.
SUP_SRC := $(sort $(wildcard launch/supervisor/*.c))
SUP_LIB := $(B)/core/logfile.o $(B)/launch/rootfs.o
SUP_BIN := $(if $(SUP_SRC),$(B)/nslab-supervise $(B)/tests/nslab-supervise)
all: $(B)/nslab $(B)/libnslab.a $(B)/libnslab.so.$(SOVERSION) $(B)/nslab.pc $(SUP_BIN) $(MAN3)

$(B)/nslab-supervise: $(SUP_SRC:%.c=$(B)/%.o) $(SUP_LIB)
	@echo "  CCLD    $@"
	@$(CC) $(BIN_LDFLAGS) $(LDFLAGS) -o $@ $^

# Beside build/tests/nslab-hooks, which finds its helpers next to itself.
$(B)/tests/nslab-supervise: $(B)/nslab-supervise
	@mkdir -p $(dir $@)
	@cp $< $@

# What the build was made with: flags, compiler and the paths compiled in (LIBEXECDIR) or
# written into nslab.pc. When it differs from the last run in $(B), everything is rebuilt, so
# that `make` then `make install PREFIX=/usr` installs a /usr build, not the /usr/local one.
BUILD_VARS := $(CC) $(ALL_CFLAGS) | $(LDFLAGS) $(BIN_LDFLAGS) $(LDLIBS) | $(PREFIX) $(LIBDIR) \
	      $(INCLUDEDIR) $(LIBEXECDIR) $(VERSION)
ifneq ($(BUILD_VARS),$(file <$(B)/build-vars))
$(shell mkdir -p $(B))
$(file >$(B)/build-vars,$(BUILD_VARS))
endif

$(B)/%.o: %.c $(B)/build-vars
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/hooks/%.o: %.c $(B)/build-vars
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
	@$(CC) $(BIN_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libnslab.a $(LDLIBS)

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

$(B)/nslab.pc: nslab.pc.in $(B)/build-vars
	@mkdir -p $(B)
	@sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' $< > $@

$(B)/man/nslab_%.3: include/nslab/%.h man/gen-man3.sh man/nslab.8
	@mkdir -p $(dir $@)
	@man/gen-man3.sh $< $(VERSION) > $@.tmp && mv $@.tmp $@

$(B)/man/nslab.3: include/nslab/nslab.h man/gen-man3.sh man/nslab.8
	@mkdir -p $(dir $@)
	@man/gen-man3.sh $< $(VERSION) > $@.tmp && mv $@.tmp $@

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

# Installed files, relative to DESTDIR; `uninstall` removes exactly these.
MAN5 := $(sort $(wildcard man/*.5))
MAN8 := $(sort $(wildcard man/*.8))
INSTALLED := $(BINDIR)/nslab $(LIBDIR)/libnslab.a $(LIBDIR)/libnslab.so.$(SOVERSION) \
	$(LIBDIR)/libnslab.so $(PKGCONFIGDIR)/nslab.pc $(COMPLETIONDIR)/nslab \
	$(HEADERS:include/nslab/%=$(INCLUDEDIR)/nslab/%) $(MAN3:$(B)/man/%=$(MANDIR)/man3/%) \
	$(MAN5:man/%=$(MANDIR)/man5/%) $(MAN8:man/%=$(MANDIR)/man8/%) \
	$(if $(SUP_SRC),$(LIBEXECDIR)/nslab/nslab-supervise)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/nslab \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 $(B)/nslab $(DESTDIR)$(BINDIR)/nslab
	$(if $(SUP_SRC),install -d $(DESTDIR)$(LIBEXECDIR)/nslab)
	$(if $(SUP_SRC),install -m 0755 $(B)/nslab-supervise $(DESTDIR)$(LIBEXECDIR)/nslab/nslab-supervise)
	install -m 0644 $(B)/libnslab.a $(DESTDIR)$(LIBDIR)/
	install -m 0644 $(B)/libnslab.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libnslab.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libnslab.so
	install -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/nslab/
	install -m 0644 $(B)/nslab.pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 0644 completion/nslab.bash $(DESTDIR)$(COMPLETIONDIR)/nslab
	install -m 0644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)

# The same variables as the install. Only nslab's own directories are removed (when empty).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/nslab $(if $(SUP_SRC),$(DESTDIR)$(LIBEXECDIR)/nslab) 2>/dev/null

# Debian packages nslab, libnslab0 and libnslab-dev (debian/), built by dpkg-buildpackage in a
# copy of the tree under $(B)/deb/src: the .debs land in $(B)/deb, lintian must find no error.
DEB_DIR := $(B)/deb
deb:
	@tools/deps.sh deb
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	@if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then git ls-files -co --exclude-standard; \
	else find . \( -name .git -o -name 'build*' \) -prune -o -type f -print; fi | \
	while read -r f; do [ -f "$$f" ] && printf '%s\n' "$$f"; done | tar -cf - -T - | tar -xf - -C $(DEB_DIR)/src
	@cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; echo "nslab: dpkg-buildpackage failed, see $(DEB_DIR)/build.log" >&2; exit 1; }
	@ls $(DEB_DIR)/*.deb
	@lintian --fail-on error $(DEB_DIR)/*.changes

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(HOOKS_OBJ:.o=.d)
