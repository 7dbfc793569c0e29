"""For alloc's run mode: allocate N strings of 1000 characters at a marked
line from the very start, and exit with status 3."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
keep = []
for i in range(n):
    keep.append("x" * (1000 + i % 2))   # RUN_LINE
print("BYTES %d" % sum(sys.getsizeof(s) for s in keep), flush=True)
sys.exit(3)
