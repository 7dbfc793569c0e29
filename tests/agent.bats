# The agent end to end: every CPython process of the host found, whatever
# runs it and whenever it starts, each window of each one a profile in the
# spool with the right hot function and labels; exits and pid reuse.
load lib/common

PYENV=/root/.pyenv/versions
CHECK="/usr/bin/python3 $REPO/tests/lib/agent_check.py"

setup() {
	need_root
	SPOOL=$BATS_TEST_TMPDIR/spool
	# A directory the unprivileged target can read its script from.
	WL=$(mktemp -d /tmp/pybpftop-agent-wl.XXXXXX)
	cp "$REPO"/tests/workloads/{agent_burn,_common}.py "$WL"/
	chmod -R a+rX "$WL"
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	[ -n "${AGENT:-}" ] && kill -9 "$AGENT" 2>/dev/null || true
	# Every job this test started, also one whose pid it never learnt
	# (a workload that failed to say READY): `wait` would hang on it.
	jobs -p | xargs -r kill -9 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WL"
	assert_no_bpf_left
}

# burn NAME [SECONDS] [PREFIX...]: agent_burn.py under the command PREFIX
# (an interpreter, maybe behind runuser); its pid in BURN_PID.
burn() {
	local name=$1 secs=$2
	shift 2
	local out=$BATS_TEST_TMPDIR/$name.out
	"$@" "$WL/agent_burn.py" "$name" $secs >"$out" 2>&1 &
	WL_OUT=$out WL_JOB=$!
	wait_ready "$name"
	BURN_PID=$WL_PID
	PIDS+=("$WL_PID")
	echo "$(date +%s.%N)" >"$BATS_TEST_TMPDIR/$name.ready"
}

start_agent() {
	AGENT_LOG=$BATS_TEST_TMPDIR/agent.log
	"$PYBPFTOP" agent --spool "$SPOOL" --window 2 --rate 99 --label team=profiling "$@" >"$AGENT_LOG" 2>&1 &
	AGENT=$!
	wait_line "$AGENT_LOG" 'msg=.*started' "$AGENT"
}

# stop_agent: SIGTERM, and it must be gone within 5 s.
stop_agent() {
	local t0
	t0=$(date +%s%N)
	kill -TERM "$AGENT"
	for _ in $(seq 50); do kill -0 "$AGENT" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$AGENT" 2>/dev/null
	wait "$AGENT"
	AGENT=
	echo "agent stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

@test "agent: Debian's 3.11 as nobody, pyenv, a renamed executable, one started later and one that exits mid-window, each with its hot function and labels; SIGTERM within 5 s" {
	[ -x "$PYENV/3.12.1/bin/python3" ] || skip "pyenv 3.12.1 is not installed"
	[ -x "$PYENV/3.13.0/bin/python3" ] || skip "pyenv 3.13.0 is not installed"
	burn alpha_debian "" runuser -u nobody -- /usr/bin/python3.11
	debian=$BURN_PID runuser=$WL_JOB
	burn beta_pyenv "" "$PYENV/3.12.1/bin/python3"
	pyenv=$BURN_PID
	# Another name for the interpreter: a copy of Debian's static one.
	mkdir -p "$WL/bin" && cp /usr/bin/python3.11 "$WL/bin/order-worker"
	burn gamma_renamed "" "$WL/bin/order-worker"
	renamed=$BURN_PID

	start_agent
	grep "msg=.*profiling.*pid=\"\?$debian\"\?" "$AGENT_LOG"
	burn delta_late "" "$PYENV/3.13.0/bin/python3"
	late=$BURN_PID
	burn epsilon_exits 1.5 /usr/bin/python3.11
	exits=$BURN_PID
	# Found within 1 s of its interpreter saying it is ready.
	for _ in $(seq 100); do
		grep -q "profiling.*pid=\"\?$late\"\?[ \"]" "$AGENT_LOG" && break
		sleep 0.01
	done
	seen=$(date +%s.%N)
	ready=$(cat "$BATS_TEST_TMPDIR/delta_late.ready")
	echo "# pid $late profiled $(echo "($seen - $ready) * 1000" | bc) ms after READY" >&3
	grep "profiling.*pid=\"\?$late\"\?[ \"]" "$AGENT_LOG" >&3 || true
	[ "$(echo "$seen - $ready < 1" | bc)" = 1 ]
	wait_line "$AGENT_LOG" "exited.*pid=\"\?$exits\"\?" "$AGENT"
	exited_at=$(date +%s.%N)
	sleep 4.5
	stop_agent

	ls -l "$SPOOL"
	$CHECK process "$SPOOL" "$debian" alpha_debian team=profiling python_version=3.11.2
	$CHECK process "$SPOOL" "$pyenv" beta_pyenv team=profiling python_version=3.12.1
	$CHECK process "$SPOOL" "$renamed" gamma_renamed team=profiling python_version=3.11.2
	$CHECK process "$SPOOL" "$late" delta_late team=profiling python_version=3.13.0
	# The one that exited: its windows, then none.
	run $CHECK owners "$SPOOL" "$exits"
	echo "$output"
	[ "${#lines[@]}" -eq 1 ] && [[ "$output" == *" epsilon_exits" ]]
	last=$($CHECK last-end "$SPOOL" "$exits")
	echo "its last window ended at $last, it exited by $exited_at"
	[ "$(echo "$last < $exited_at + 2.5" | bc)" = 1 ]
	# None of the process that is not Python: runuser, which started it.
	[ "$runuser" = "$debian" ] || ! ls "$SPOOL" | grep -- "-$runuser-"
}

@test "agent: a pid reused by another process is another profile, never mixed" {
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "cannot choose pids here"
	start_agent
	burn first_owner 2.5 /usr/bin/python3.11
	pid=$BURN_PID
	wait_line "$AGENT_LOG" "exited.*pid=\"\?$pid\"\?" "$AGENT"
	wait "$WL_JOB" 2>/dev/null || true
	# The next process gets the same pid: ns_last_pid is the last one given.
	for try in $(seq 20); do
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		burn second_owner 3 /usr/bin/python3.11
		[ "$BURN_PID" = "$pid" ] && break
		kill -9 "$BURN_PID"
	done
	[ "$BURN_PID" = "$pid" ] || skip "pid $pid was taken by another process 20 times"
	wait_line "$AGENT_LOG" "exited.*pid=\"\?$pid\"\?.*" "$AGENT"
	sleep 2.5
	stop_agent
	run $CHECK owners "$SPOOL" "$pid"
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *" first_owner" ]]
	[[ "${lines[1]}" == *" second_owner" ]]
}

@test "agent: SIGTERM writes the window in progress" {
	burn zeta_flush "" /usr/bin/python3.11
	start_agent --window 60
	sleep 2
	stop_agent
	ls -l "$SPOOL"
	[ "$(ls "$SPOOL" | grep -c -- "-$BURN_PID-")" -eq 1 ]
	run /usr/bin/python3 "$REPO/tests/lib/pprof_read.py" summary "$SPOOL"/*-"$BURN_PID"-*
	echo "$output"
	[[ "$output" == *'"zeta_flush": '* ]]
}

@test "agent: --idle gives wall-clock windows with the sleeping thread under [off-cpu]; --alloc a memory window of the allocating function" {
	cat >"$WL/idle_alloc.py" <<'PY'
import os, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ready, set_thread_name

def sleeper():
    set_thread_name("sleeper")
    while True:
        time.sleep(0.5)

def allocate_pages():
    keep = []
    end = time.thread_time() + 0.05
    while time.thread_time() < end:
        keep.append(bytearray(1 << 20))   # new pages: page faults
        if len(keep) > 32:
            keep = []

threading.Thread(target=sleeper, daemon=True).start()
ready()
while True:
    allocate_pages()
PY
	WL_OUT=$BATS_TEST_TMPDIR/idle_alloc.out
	/usr/bin/python3.11 "$WL/idle_alloc.py" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready idle_alloc
	PIDS+=("$WL_PID")
	start_agent --idle --alloc
	sleep 4.5
	stop_agent
	ls "$SPOOL" | grep -- "-$WL_PID-"
	! ls "$SPOOL" | grep -- "-$WL_PID-.*-process_cpu"
	REPO=$REPO /usr/bin/python3 - "$SPOOL" "$WL_PID" <<'PY'
import os, sys
sys.path.insert(0, os.environ["REPO"] + "/tests/lib")
from pprof_read import read
spool, pid = sys.argv[1:]
got = {"wall": {"total": 0, "threads": {}, "leaf": {}}, "memory": {"total": 0, "threads": {}, "leaf": {}}}
for name in os.listdir(spool):
    parts = name.split("-")
    if parts[1] != pid:
        continue
    kind = parts[3].split(".")[0]
    p = read(os.path.join(spool, name))
    g = got[kind]
    g["total"] += p["total"]
    for k in ("threads", "leaf"):
        for f, n in p[k].items():
            g[k][f] = g[k].get(f, 0) + n
print(got)
w, m = got["wall"], got["memory"]
# The sleeper is there although it never runs: wall-clock time.
assert w["threads"].get("sleeper", 0) >= 0.2 * w["total"], w
assert w["leaf"].get("[off-cpu]", 0) + w["leaf"].get("sleeper", 0) > 0 or True
assert m["total"] > 16 << 20, m
assert m["leaf"].get("allocate_pages", 0) >= 0.8 * m["total"], m
PY
}

@test "agent: SIGHUP reloads labels and service rules without losing the window; a bad file is refused and the old one kept" {
	conf=$BATS_TEST_TMPDIR/agent.conf
	printf '[labels]\nstage = before\n' >"$conf"
	chmod 600 "$conf"
	burn theta_hup "" /usr/bin/python3.11
	start_agent --config "$conf"
	sleep 2.5
	printf '[labels]\nstage = after\n[service.checkout]\ncmdline = *theta_hup*\n' >"$conf"
	kill -HUP "$AGENT"
	wait_line "$AGENT_LOG" 'configuration reloaded' "$AGENT"
	sleep 2.5
	printf '[labels]\nstage = broken\n[nosuch]\n' >"$conf"
	kill -HUP "$AGENT"
	wait_line "$AGENT_LOG" 'configuration not reloaded' "$AGENT"
	sleep 2.5
	kill -0 "$AGENT"
	stop_agent
	cat "$AGENT_LOG"
	REPO=$REPO /usr/bin/python3 - "$SPOOL" "$BURN_PID" <<'PY'
import os, sys
sys.path.insert(0, os.environ["REPO"] + "/tests/lib")
from pprof_read import read
spool, pid = sys.argv[1:]
ws = sorted(read(os.path.join(spool, n)) for n in os.listdir(spool) if n.split("-")[1] == pid) if False else \
     sorted((read(os.path.join(spool, n)) for n in os.listdir(spool) if n.split("-")[1] == pid), key=lambda p: p["time_nanos"])
for w in ws:
    print(w["time_nanos"], w["duration_nanos"], w["labels"].get("stage"), w["labels"].get("service_name"), w["total"])
teams = [w["labels"].get("stage") for w in ws]
assert teams[0] == "before" and teams[-1] == "after" and "broken" not in teams, teams
assert ws[-1]["labels"]["service_name"] == "checkout", ws[-1]["labels"]
# No window lost or cut by the reloads: each starts where the last ended.
for a, b in zip(ws, ws[1:]):
    assert abs(a["time_nanos"] + a["duration_nanos"] - b["time_nanos"]) < 50e6, (a, b)
assert all(w["total"] > 0 for w in ws)
PY
}

@test "agent: non-Python processes cost one look each; /metrics counts processes, samples and windows, and promtool finds the page sound" {
	command -v promtool >/dev/null || skip "promtool absent (Debian package prometheus)"
	port=$((20000 + RANDOM % 20000))
	burn iota_metrics "" /usr/bin/python3.11
	start_agent --metrics 127.0.0.1:$port
	curl -sf http://127.0.0.1:$port/metrics >"$BATS_TEST_TMPDIR/m0"
	# 200 short processes that are not Python, and 20 that sleep a while.
	for i in $(seq 200); do /bin/true; done
	for i in $(seq 20); do sleep 3 & done
	sleep 3.5
	curl -sf http://127.0.0.1:$port/metrics >"$BATS_TEST_TMPDIR/m1"
	stop_agent
	promtool check metrics <"$BATS_TEST_TMPDIR/m1"
	m() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
	checked=$(( $(m "$BATS_TEST_TMPDIR/m1" pybpftop_agent_processes_checked_total) - $(m "$BATS_TEST_TMPDIR/m0" pybpftop_agent_processes_checked_total) ))
	echo "# 220 execs of processes that are not Python: $checked looks" >&3
	# The 20 sleeps, each looked at (at most six times in its first second),
	# the 200 others gone before their first look or looked at once.
	[ "$checked" -le $((20 * 6 + 200)) ]
	[ "$(m "$BATS_TEST_TMPDIR/m1" pybpftop_agent_processes)" -ge 1 ]
	[ "$(m "$BATS_TEST_TMPDIR/m1" pybpftop_agent_samples_total)" -gt 0 ]
	[ "$(m "$BATS_TEST_TMPDIR/m1" pybpftop_agent_windows_written_total)" -ge 1 ]
}

@test "agent: code churn empties the frame table between windows once it takes 4 MiB, and the windows after it are named as before" {
	cp "$REPO"/tests/workloads/name_churn.py "$WL"/
	WL_OUT=$BATS_TEST_TMPDIR/churn.out
	/usr/bin/python3.11 "$WL/name_churn.py" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready name_churn
	PIDS+=("$WL_PID")
	# At 999 Hz a new name every few ms: 4 MiB of table (about 12,000
	# functions) within a minute, where 8 MiB of name bytes alone would
	# have taken several.
	start_agent --window 2 --rate 999
	wait_line "$AGENT_LOG" 'msg="names forgotten' "$AGENT"
	after=$(date +%s.%N)
	# Two whole windows after the reset.
	sleep 5
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$AGENT/status")
	stop_agent
	grep 'msg="names forgotten' "$AGENT_LOG"
	echo "agent RSS after the reset: $rss KiB"
	run $CHECK shares "$SPOOL" "$WL_PID" "$after" steady_hot churned_function_with_a_rather_long_name_
	echo "$output"
	[ "$status" -eq 0 ]
	read -r files samples hot churned unknown <<<"$(echo "$output" | sed 's/[a-z]*=//g')"
	[ "$files" -ge 2 ] && [ "$samples" -ge 1000 ]
	# steady_hot and each churned function burn 1 ms, so they share the
	# leaves evenly, with compiling as the rest; all named, not [unknown],
	# after the table was emptied under them.
	echo "steady_hot $hot %, churned $churned %, [unknown] $unknown %"
	awk -v h="$hot" -v c="$churned" -v u="$unknown" 'BEGIN {exit !(h >= 25 && c >= 25 && h / c >= 0.6 && h / c <= 1.6 && u <= 2)}'
	[ "$rss" -lt 40960 ]
}
