# The C unit tests and the fuzzer; none needs root except where it says.
load lib/common

unit() {	# run build/test_NAME; exit 77 means skip
	run "$REPO/build/test_$1" "${@:2}"
	echo "$output"
	[ "$status" -eq 77 ] && skip "$output"
	[ "$status" -eq 0 ]
}

@test "ELF lookups: hostile files stay within time and memory, a truncated one does not fault" {
	unit elf_image
}

@test "version detection: hex, file names, version strings, tables" {
	unit py_detect
}

@test "version registry: rows sorted and contiguous, layouts sound, range and --list-versions from the rows" {
	unit versions
}

@test "folded writer and top functions" {
	unit profile
}

@test "text escaping: control bytes, C1, invalid UTF-8 shown escaped, printable Unicode as it is" {
	unit text_escape
}

@test "report: protobuf decoder, pprof read back to the same stacks and labels, hostile files, the spool's filters, WHEN" {
	unit report
}

@test "protobuf encoder; pprof, speedscope and chrome writers read back" {
	unit formats
}

@test "batched remote reads: each range its own result, a failed range alone, batches split" {
	unit remote_mem
}

@test "code objects, str and bytes from a fake address space and a live process" {
	unit code_reader
}

@test "incomplete frames (3.11+, before _co_firsttraceable) are left out of stacks, the rest kept in order" {
	unit incomplete_frames
}

@test "locals and repr() of values, hostile objects, the GIL holder, live interpreters" {
	unit py_repr
}

@test "_Py_DebugOffsets parsing against the live interpreters" {
	unit debug_offsets
}

@test "alloc heap: accounting, traces, munmap and mremap of ranges" {
	unit alloc_heap
}

@test "alloc statistics: grouping, filters, compare, sizes as tracemalloc writes them" {
	unit alloc_stats
}

@test "output files: written by rename, a link at the name replaced, a FIFO written to, errors named; SUDO_UID parsed strictly" {
	unit output_file
}

@test "alloc snapshots: written and read back; bad files refused" {
	unit alloc_snapshot
}

@test "a target's files: opened in its root as its user, regular files only; the source cache's budgets; ELF files truncated under us" {
	unit target_files
}

@test "agent log: logfmt lines decode back to the escaped values; no value forges a field or a line; one write per line" {
	unit logfmt
}

@test "agent service names: systemd, docker, containerd, CRI-O and podman cgroups; CPython's command line; hostile names; rules first" {
	unit service
}

@test "agent /metrics: every counter and gauge once with HELP and TYPE, process_* of its own; served on loopback only; limits on idle clients" {
	unit metrics
}

@test "agent /metrics: promtool check metrics finds no problem and no lint in the page" {
	command -v promtool >/dev/null || skip "promtool absent (Debian package prometheus)"
	"$REPO/build/test_metrics" --print > "$BATS_TEST_TMPDIR/page"
	grep -q '^pybpftop_agent_samples_total ' "$BATS_TEST_TMPDIR/page"
	grep -q '^process_resident_memory_bytes ' "$BATS_TEST_TMPDIR/page"
	run promtool check metrics < "$BATS_TEST_TMPDIR/page"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "agent configuration: defaults, every key and error with FILE:LINE, file modes and secret files, etc/agent.conf" {
	unit agent_config "$REPO/etc/agent.conf"
}

@test "line tables agree with every interpreter's own co_lines / findlinestarts" {
	run "$REPO/tests/unit/run_line_tables.sh" "$REPO/build/test_line_table"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0 mismatches"* ]]
}

@test "fuzzer: _Py_DebugOffsets parsing and the target-memory readers survive ${FUZZ_SECONDS:-20} s of libFuzzer" {
	corpus=$BATS_TEST_TMPDIR/corpus
	mkdir -p "$corpus"
	cp "$REPO"/tests/fuzz/corpus/* "$corpus"/ 2>/dev/null || true
	run "$REPO/build/fuzz_target_memory" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=1024 "$corpus"
	echo "${output: -2000}"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "fuzzer: the alloc snapshot reader and statistics survive ${FUZZ_SECONDS:-20} s of libFuzzer" {
	corpus=$BATS_TEST_TMPDIR/corpus_alloc_snapshot
	mkdir -p "$corpus"
	cp "$REPO"/tests/fuzz/corpus_alloc_snapshot/* "$corpus"/
	run "$REPO/build/fuzz_alloc_snapshot" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=1024 \
		-dict="$REPO/tests/fuzz/alloc_snapshot.dict" "$corpus"
	echo "${output: -2000}"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "fuzzer: the ELF symbol lookups survive ${FUZZ_SECONDS:-20} s of hostile files" {
	corpus=$BATS_TEST_TMPDIR/corpus_elf
	mkdir -p "$corpus"
	cp "$REPO"/tests/fuzz/corpus_elf/* "$REPO"/build/fuzz_elf_seeds/* "$corpus"/
	run "$REPO/build/fuzz_elf_symbols" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=1024 \
		-timeout=10 -dict="$REPO/tests/fuzz/elf_symbols.dict" "$corpus"
	echo "${output: -2000}"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "fuzzer: the pprof reader (report's) survives ${FUZZ_SECONDS:-20} s of hostile files" {
	corpus=$BATS_TEST_TMPDIR/corpus_pprof
	mkdir -p "$corpus"
	cp "$REPO"/tests/fuzz/corpus_pprof/* "$corpus"/
	run "$REPO/build/fuzz_pprof_read" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=1024 "$corpus"
	echo "${output: -2000}"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "walker replay: every recorded interpreter's stacks walk to the truth" {
	unit replay "$REPO/tests/replay/snapshots"
	[[ "$output" == *"walker replay: "*", 0 failed"* ]]
}

@test "user/'s stages: includes run one way, and the writers see names only" {
	run "$REPO/tests/unit/layering.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"all in order"* ]]
}

@test "agent spool: index order, a rewrite counted once, size and age rotation, a planted link not written through; Pyroscope labels sorted, once, UTF-8" {
	unit spool
}
