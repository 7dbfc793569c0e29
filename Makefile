# pybpftop: the libbpf-bootstrap build chain,
#   vmlinux.h (bpftool) -> %.bpf.o (clang) -> %.skel.h (bpftool) -> user objects.
OUTPUT := build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -g -O2
USER_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
INCLUDES := -I$(OUTPUT) -Iinclude -Iuser
LDLIBS := -lbpf -lelf -lz -lm -lncursesw -ljansson -lcurl -lmicrohttpd -linih -lpthread

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
# user/STAGE/NAME.c -> build/STAGE/NAME.o; headers are included by path
# from user/ ("proc/procfs.h").
USER_SRCS := $(wildcard user/*/*.c)
USER_HDRS := $(wildcard user/*/*.h)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out $(OUTPUT)/cmd/main.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/%,$(UNIT_SRCS))
# Parsers of target memory, for the fuzzer.
FUZZ_SRCS := user/python/code_reader.c user/python/line_table.c user/python/versions.c \
	user/python/debug_offsets.c user/python/repr.c user/python/frame_locals.c user/python/gil.c
# Alloc snapshot files, which users pass around, for the second fuzzer.
ALLOC_FUZZ_SRCS := user/alloc/snapshot.c user/alloc/stats.c user/proc/source_lines.c user/proc/target_files.c user/proc/procfs.c \
	user/proc/text_escape.c user/profile/frame_table.c
# The ELF lookups in a target's executable and libpython, for the third.
ELF_FUZZ_SRCS := user/proc/elf_image.c user/proc/procfs.c user/proc/remote_mem.c \
	user/python/target.c user/python/builtins.c user/python/detect.c \
	user/python/versions.c user/python/debug_offsets.c user/python/code_reader.c \
	user/proc/target_files.c
# The pprof reader, which `report` runs on whatever a spool directory holds.
PPROF_FUZZ_SRCS := user/out/pb_decode.c user/out/pb_encode.c user/out/pprof_read.c user/out/pprof.c \
	user/out/folded.c user/profile/profile.c user/profile/frame_table.c user/proc/text_escape.c \
	user/proc/procfs.c

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps demo check test test-sid unit fuzz clean

all: pybpftop

deps:
	$(Q)tools/install-deps.sh build

$(OUTPUT):
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)command -v $(BPFTOOL) >/dev/null || \
		{ echo "bpftool not found: run 'make deps' (Debian package bpftool)" >&2; exit 1; }
	$(Q)test -r $(VMLINUX_BTF) || \
		{ echo "$(VMLINUX_BTF) missing: the kernel needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/*.bpf.h include/*.h $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)command -v $(CLANG) >/dev/null || \
		{ echo "clang not found: run 'make deps'" >&2; exit 1; }
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		$(INCLUDES) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/%.o: user/%.c $(USER_HDRS) include/*.h $(SKELS) | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(INCLUDES) -c $< -o $@

# The flame graph's script and style sheet, as C arrays for out_html.c.
$(OUTPUT)/flame_assets.h: user/out/flame.js user/out/flame.css | $(OUTPUT)
	$(call msg,XXD,$@)
	$(Q)command -v xxd >/dev/null || \
		{ echo "xxd not found: run 'make deps' (Debian package xxd)" >&2; exit 1; }
	$(Q)(cd user/out && xxd -i flame.js && xxd -i flame.css) | sed "s/^unsigned/static const unsigned/" > $@

$(OUTPUT)/out/html.o: $(OUTPUT)/flame_assets.h

pybpftop: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(USER_CFLAGS) $^ $(LDLIBS) -o $@

# The test helpers (check.h, fake_mem.h) are prerequisites, not inputs.
$(OUTPUT)/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(INCLUDES) $(filter-out %.h,$^) $(LDLIBS) -o $@

# Benchmark binaries, built like the unit tests: bench/NAME.c -> build/bench_NAME.
$(OUTPUT)/bench_%: bench/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(INCLUDES) $^ $(LDLIBS) -o $@

# The push tests' driver (tests/push.bats), built like a benchmark.
$(OUTPUT)/push_driver: tests/push/push_driver.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(INCLUDES) $^ $(LDLIBS) -o $@

unit: $(OUTPUT)/push_driver

$(OUTPUT)/fuzz_target_memory: tests/fuzz/fuzz_target_memory.c $(FUZZ_SRCS) $(USER_HDRS) include/*.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-Iinclude -Iuser tests/fuzz/fuzz_target_memory.c $(FUZZ_SRCS) -o $@

$(OUTPUT)/fuzz_alloc_snapshot: tests/fuzz/fuzz_alloc_snapshot.c $(ALLOC_FUZZ_SRCS) $(USER_HDRS) include/*.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-Iinclude -Iuser tests/fuzz/fuzz_alloc_snapshot.c $(ALLOC_FUZZ_SRCS) -ljansson -lm -o $@

$(OUTPUT)/fuzz_elf_symbols: tests/fuzz/fuzz_elf_symbols.c $(ELF_FUZZ_SRCS) $(USER_HDRS) include/*.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-Iinclude -Iuser tests/fuzz/fuzz_elf_symbols.c $(ELF_FUZZ_SRCS) -lelf -o $@

$(OUTPUT)/fuzz_pprof_read: tests/fuzz/fuzz_pprof_read.c $(PPROF_FUZZ_SRCS) $(USER_HDRS) include/*.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-Iinclude -Iuser tests/fuzz/fuzz_pprof_read.c $(PPROF_FUZZ_SRCS) -lz -o $@

# Its seeds, built from tests/fuzz/elf_seed.c and cut from the host's
# interpreters (megabytes, so not committed).
$(OUTPUT)/fuzz_elf_seeds: tests/fuzz/make_elf_seeds.sh tests/fuzz/elf_seed.c | $(OUTPUT)
	$(call msg,SEEDS,$@)
	$(Q)tests/fuzz/make_elf_seeds.sh $(CLANG) $@

unit: $(UNIT_BINS)

# --- The walker's replay test (tests/replay, docs/design.md) ---
# bpf/py_walker.bpf.h built as plain C (PY_WALKER_USERSPACE) over recorded
# memory. build/record_walk records a snapshot of a live process (as root);
# build/test_replay (part of `make unit`) replays every snapshot in
# tests/replay/snapshots, with no root and no interpreter. `make snapshots`
# records them all again (tools/record-snapshots.sh).
REPLAY_INCLUDES := $(INCLUDES) -Ibpf -Itests/replay
REPLAY_OBJS := $(OUTPUT)/replay/walker.o $(OUTPUT)/replay/snapshot.o $(OUTPUT)/replay/compare.o
REPLAY_DEPS := tests/replay/*.h tests/unit/check.h bpf/py_walker.bpf.h include/*.h $(USER_HDRS)

$(OUTPUT)/replay/%.o: tests/replay/%.c $(REPLAY_DEPS) | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(REPLAY_INCLUDES) -c $< -o $@

$(OUTPUT)/test_replay: tests/replay/replay.c $(REPLAY_OBJS) $(LIB_OBJS) $(REPLAY_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(REPLAY_INCLUDES) $(filter %.c %.o,$^) $(LDLIBS) -o $@

$(OUTPUT)/record_walk: tools/record_walk.c $(REPLAY_OBJS) $(LIB_OBJS) $(REPLAY_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(REPLAY_INCLUDES) $(filter %.c %.o,$^) $(LDLIBS) -o $@

unit: $(OUTPUT)/test_replay $(OUTPUT)/record_walk

.PHONY: replay snapshots
replay: $(OUTPUT)/test_replay
	$(Q)$(OUTPUT)/test_replay tests/replay/snapshots

snapshots: $(OUTPUT)/record_walk
	$(Q)tools/record-snapshots.sh
# --- end of the walker's replay test ---
fuzz: $(OUTPUT)/fuzz_target_memory $(OUTPUT)/fuzz_alloc_snapshot $(OUTPUT)/fuzz_elf_symbols \
	$(OUTPUT)/fuzz_elf_seeds $(OUTPUT)/fuzz_pprof_read

demo: deps all
	$(Q)tools/demo.sh

# What needs no root and no interpreter: the unit tests, the walker's
# replay of every recorded interpreter, and the fuzzers for a few seconds.
# Parts of the unit tests that need a live interpreter skip without one.
check:
	$(Q)$(MAKE) --no-print-directory all unit fuzz
	$(Q)FUZZ_SECONDS=5 tests/run.sh tests/unit.bats

# Every test: units, the fuzzer briefly, the CLI and the end-to-end runs.
test:
	$(Q)tools/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory all unit fuzz
	$(Q)tests/run.sh tests/*.bats

# The same end-to-end checks against Debian sid's python3.13, 3.14, 3.15, their
# debug builds and the free-threaded builds of tools/build-freethreaded.sh,
# in a chroot.
test-sid:
	$(Q)tools/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/sid-chroot.sh
	$(Q)tools/build-freethreaded.sh
	$(Q)INTERPRETERS=sid tests/run.sh tests/e2e.bats tests/dump.bats tests/run_mode.bats tests/alloc.bats \
		tests/incomplete.bats tests/subinterpreters.bats tests/sid/*.bats

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) pybpftop

# --- make install / make uninstall (docs/agent-install.md) ---
# The binary, the man pages, the agent's default configuration (never over
# an existing one) and its systemd unit, whose ExecStart names BINDIR.
# DESTDIR stages it all under a directory (packaging, tests/install.bats).
# The unit is not enabled: `systemctl daemon-reload && systemctl enable
# --now pybpftop-agent` does it.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
AGENT_CONF := $(DESTDIR)$(SYSCONFDIR)/pybpftop/agent.conf

.PHONY: install uninstall
install: pybpftop
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 pybpftop $(DESTDIR)$(BINDIR)/pybpftop
	$(Q)install -D -m 0644 docs/man/pybpftop.1 $(DESTDIR)$(MANDIR)/man1/pybpftop.1
	$(Q)install -D -m 0644 docs/man/pybpftop-agent.8 $(DESTDIR)$(MANDIR)/man8/pybpftop-agent.8
	$(Q)install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/pybpftop
	$(Q)if [ -e $(AGENT_CONF) ]; then \
		echo "  kept     $(AGENT_CONF) (the new default is etc/agent.conf)"; \
	else \
		install -m 0600 etc/agent.conf $(AGENT_CONF); \
	fi
	$(Q)install -d -m 0755 $(DESTDIR)$(UNITDIR)
	$(Q)sed -e 's|/usr/local/bin/pybpftop|$(BINDIR)/pybpftop|' \
		-e 's|/etc/pybpftop/agent.conf|$(SYSCONFDIR)/pybpftop/agent.conf|' \
		etc/pybpftop-agent.service > $(DESTDIR)$(UNITDIR)/pybpftop-agent.service.tmp
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/pybpftop-agent.service.tmp
	$(Q)mv -f $(DESTDIR)$(UNITDIR)/pybpftop-agent.service.tmp $(DESTDIR)$(UNITDIR)/pybpftop-agent.service

# The configuration goes only if it is still the default; the spool
# (/var/lib/pybpftop) is data, and stays.
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(BINDIR)/pybpftop $(DESTDIR)$(MANDIR)/man1/pybpftop.1 \
		$(DESTDIR)$(MANDIR)/man8/pybpftop-agent.8 $(DESTDIR)$(UNITDIR)/pybpftop-agent.service
	$(Q)if cmp -s etc/agent.conf $(AGENT_CONF); then \
		rm -f $(AGENT_CONF); \
		rmdir $(DESTDIR)$(SYSCONFDIR)/pybpftop 2>/dev/null || true; \
	elif [ -e $(AGENT_CONF) ]; then \
		echo "  kept     $(AGENT_CONF) (changed from the default)"; \
	fi
# --- end of make install ---
