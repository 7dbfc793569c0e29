"""The shares of sixty(), thirty() and ten() in one profiler's output, for
bench/peers.sh:  peers_shares.py FORMAT FILE
prints `SIXTY THIRTY TEN SAMPLES GATE`: each function's share (in %) of
the weight of the stacks that hold one of the three, the number of such
samples, and the number of samples taken in signal.sigwait (the workload's
start gate: a wall-clock profiler that has some was attached before the
timed part began). Prints `- - - 0 0` when none of the three was seen.

FORMAT says how to read FILE:
  folded     pybpftop's `-f folded`: `name (file:line);... COUNT`
  collapsed  3.15's `profiling.sampling --collapsed`: `tid:N;file:name:line;... COUNT`
  austin     Austin's text output: `P..;T..;file:name:line;... MICROSECONDS`,
             one line per sample, weighted by its time as Austin's tools do
  pstats     cProfile's `-o` file: each function's own time (tottime); run
             this with the interpreter that wrote it
"""
import sys

NAMES = ("sixty", "thirty", "ten")


def frame_name(fmt, frame):
    if fmt == "folded":
        return frame.split(" (", 1)[0]
    parts = frame.rsplit(":", 2)  # file:name:line; the file may hold a ':'
    return parts[1] if len(parts) == 3 else frame


def text_weights(fmt, path):
    weight = dict.fromkeys(NAMES, 0.0)
    samples = gate = 0
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            stack, _, count = line.rpartition(" ")
            try:
                w = float(count)
            except ValueError:
                continue
            names = [frame_name(fmt, fr) for fr in stack.split(";")]
            # Austin's lines are one sample each; the others carry a count.
            n = 1 if fmt == "austin" else int(w)
            if "sigwait" in names:
                gate += n
            hit = [x for x in NAMES if x in names]
            if len(hit) == 1:
                weight[hit[0]] += w
                samples += n
    return weight, samples, gate


def pstats_weights(path):
    import pstats

    weight = dict.fromkeys(NAMES, 0.0)
    calls = 0
    for (_file, _line, name), (_cc, nc, tt, _ct, _callers) in pstats.Stats(path).stats.items():
        if name in weight:
            weight[name] += tt
            calls += nc
    return weight, calls, 0


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    if fmt == "pstats":
        weight, samples, gate = pstats_weights(path)
    elif fmt in ("folded", "collapsed", "austin"):
        weight, samples, gate = text_weights(fmt, path)
    else:
        sys.exit("peers_shares.py: unknown format %r" % fmt)
    total = sum(weight.values())
    if total <= 0:
        print("- - - 0 %d" % gate)
        return
    print(" ".join("%.2f" % (100 * weight[x] / total) for x in NAMES), samples, gate)


main()
