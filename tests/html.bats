# `record -o FILE.html`: the flame graph page, opened in headless Chromium
# (tests/js/flame_check.mjs, Playwright). Screenshots go to build/html-test/.
load lib/common

setup() {
	PY_CMD=/usr/bin/python3.11
	PY_WL=$REPO/tests/workloads
	SHOTS=$REPO/build/html-test
	mkdir -p "$SHOTS"
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

need_browser() {
	[ -x /usr/bin/chromium ] || skip "chromium missing: run tools/install-deps.sh test"
	[ -d "$REPO/tests/js/node_modules/playwright-core" ] ||
		skip "playwright-core missing: run tools/install-deps.sh test"
}

# The C side: the test program also writes the synthetic pages.
need_test_html() {
	make -s -C "$REPO" --no-print-directory build/test_html
}

browser() {	# mode file.html shot.png
	run node "$REPO/tests/js/flame_check.mjs" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^result: ok$' <<<"$output"
}

@test "record -o .html: the flame graph loads, zooms, searches, flips and explains, in Chromium" {
	need_root
	need_browser
	start_workload cpu_split
	page=$BATS_TEST_TMPDIR/cpu_split.html
	run "$PYBPFTOP" record -p "$WL_PID" -d 3 -r 997 -o "$page"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"to $page (html)"* ]]
	samples=$(sed -n 's/.*wrote [0-9]* stacks (\([0-9]*\) samples).*/\1/p' <<<"$output")
	[ "$samples" -ge 1000 ]
	# One file: nothing to fetch, no other script or style sheet.
	[ "$(head -c 15 "$page")" = "<!DOCTYPE html>" ]
	[ "$(grep -ciE '<(script|link|img)[^>]* (src|href)=' "$page")" -eq 0 ]

	browser cpu_split "$page" "$SHOTS/cpu_split.png"
	[ -s "$SHOTS/cpu_split.png" ]
	# The title: the command, the Python version, the rate, the samples.
	version=$($PY_CMD -c 'import platform; print(platform.python_version())')
	title=$(sed -n 's/^title: //p' <<<"$output")
	[[ "$title" == *"cpu_split.py (pid $WL_PID)"* ]]
	[[ "$title" == *"Python $version"* ]]
	[[ "$title" == *" at 997 Hz"* ]]
	[[ "$title" == *"$(/usr/bin/python3 -c "print(f'{$samples:,}')") samples"* ]]
}

@test "-f html and a .svg name write the flame graph page too, and the .svg opens as one" {
	need_root
	need_browser
	start_workload cpu_split
	run "$PYBPFTOP" record -p "$WL_PID" -d 1 -f html -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(html)"* ]]
	grep -q 'id="flame-data"' "$BATS_TEST_TMPDIR/out.folded"
	run "$PYBPFTOP" record -p "$WL_PID" -d 1 -o "$BATS_TEST_TMPDIR/out.svg"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(html)"* ]]
	grep -q 'id="flame-data"' "$BATS_TEST_TMPDIR/out.svg"
	# Browsers read .svg as XML: the page is well-formed XHTML too.
	browser load "$BATS_TEST_TMPDIR/out.svg" "$SHOTS/out-svg.png"
}

@test "html writer: the merged tree, and names that try to end the <script>" {
	need_test_html
	run "$REPO/build/test_html"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "html: a page of hostile names loads without an error or an alert, in Chromium" {
	need_browser
	need_test_html
	"$REPO/build/test_html" hostile "$BATS_TEST_TMPDIR/hostile.html"
	browser hostile "$BATS_TEST_TMPDIR/hostile.html" "$SHOTS/hostile.png"
	# And parsed as XML, as a file named .svg is.
	cp "$BATS_TEST_TMPDIR/hostile.html" "$BATS_TEST_TMPDIR/hostile.svg"
	browser hostile "$BATS_TEST_TMPDIR/hostile.svg" "$SHOTS/hostile-svg.png"
}

@test "html: 100,000 unique stacks of depth 50 make a small file that draws in a few seconds" {
	need_browser
	need_test_html
	page=$BATS_TEST_TMPDIR/scale.html
	run "$REPO/build/test_html" scale "$page" 100000 50
	echo "$output"
	[ "$status" -eq 0 ]
	size=$(stat -c %s "$page")
	echo "size: $size bytes"
	[ "$size" -lt $((16 * 1024 * 1024)) ]
	browser load "$page" "$SHOTS/scale.png"
	ms=$(sed -n 's/^page_ms: //p' <<<"$output")
	[ "$ms" -lt 10000 ]
}
