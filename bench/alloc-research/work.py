# allocation-heavy workload: mode grow (retained) | churn (allocate, drop)
import sys, time, os
mode = sys.argv[1]; n = int(sys.argv[2])
if len(sys.argv) > 3 and sys.argv[3] == 'wait':
    sys.stdin.readline()          # wait until probes are attached
import gc; gc.disable()   # keep the loop allocation-bound
keep = []
t0 = time.perf_counter()
for i in range(n):
    d = {'a': i, 'b': str(i), 'c': [i, i + 1, i + 2]}
    l = [str(j) * 3 for j in range(10)]
    s = 'x%d-%s' % (i, 'y' * (i % 50))
    big = [i] * 100               # ~856-byte list: > 512 -> raw malloc
    if mode == 'grow':
        keep.append((d, l, s, big))
t1 = time.perf_counter()
print("%s n=%d elapsed=%.3f maxrss_kb=%s" % (mode, n, t1 - t0,
      open('/proc/self/status').read().split('VmHWM:')[1].split()[0]), flush=True)
