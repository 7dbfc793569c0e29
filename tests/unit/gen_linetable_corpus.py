#!/usr/bin/env python3
"""Write a line-table corpus for tests/unit/test_line_table.c.

Runs under any CPython 3.8+. Compiles a source file (never imports it),
walks every code object reachable through co_consts, and records each
one's raw line table together with the line the interpreter itself gives
for every even byte offset:
  3.10+   code.co_lines()  (an offset in [start, end) has that line; None -> -1)
  3.8/3.9 dis.findlinestarts (the line of the last start <= offset)

Usage: gen_linetable_corpus.py SOURCE OUTPUT
  SOURCE "-" reads the source from stdin, OUTPUT "-" writes to stdout (so
  the script can run in a chroot via python -c without sharing files).

Format (text, one record per line):
  python MAJOR MINOR MICRO
  code FIRSTLINENO CODELEN TABLEHEX NAME      (TABLEHEX "-" when empty)
  OFFSET LINE                                 (repeated)
  end                                         (after the last code object)
NAME is the qualified path of the code object, ASCII-escaped; it is only
for messages.
"""
import dis
import sys
import types


def table_of(co):
    if sys.version_info >= (3, 10):
        return co.co_linetable
    return co.co_lnotab


def expected_lines(co):
    """[(offset, line)] for every even offset the interpreter knows about."""
    n = len(co.co_code)
    if sys.version_info >= (3, 10):
        lines = {}
        for start, end, line in co.co_lines():
            for off in range(start, end, 2):
                # First range wins, as in the C decoder (ranges never overlap).
                lines.setdefault(off, -1 if line is None else line)
        # One past the last instruction is "past the table" -> -1.
        return [(off, lines.get(off, -1)) for off in range(0, n + 1, 2)]
    # 3.8/3.9: the table does not know where co_code ends, so only offsets
    # inside the bytecode are meaningful.
    starts = sorted(dis.findlinestarts(co))
    out, i, line = [], 0, -1
    for off in range(0, n, 2):
        while i < len(starts) and starts[i][0] <= off:
            line = starts[i][1]
            i += 1
        out.append((off, line))
    return out


def positions_disagree(co):
    """3.11+: count offsets where co_positions() and co_lines() disagree
    (they are two readers of the same table; reported, not fatal)."""
    if sys.version_info < (3, 11):
        return 0
    lines = dict(expected_lines(co))
    bad = 0
    for i, pos in enumerate(co.co_positions()):
        want = -1 if pos[0] is None else pos[0]
        if lines.get(2 * i, -1) != want:
            bad += 1
    return bad


def walk(co, prefix=""):
    name = prefix + co.co_name
    yield name, co
    for c in co.co_consts:
        if isinstance(c, types.CodeType):
            for item in walk(c, name + "."):
                yield item


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: %s SOURCE OUTPUT\n" % sys.argv[0])
        return 2
    src_path, out_path = sys.argv[1], sys.argv[2]
    if src_path == "-":
        src = sys.stdin.buffer.read().decode("utf-8")
        src_path = "linetable_corpus_src.py"
    else:
        with open(src_path, encoding="utf-8") as f:
            src = f.read()
    top = compile(src, src_path, "exec")

    ncode = noff = nbad = 0
    out = sys.stdout if out_path == "-" else open(out_path, "w")
    with out:
        out.write("python %d %d %d\n" % sys.version_info[:3])
        for name, co in walk(top):
            tab = table_of(co)
            safe = name.encode("ascii", "backslashreplace").decode("ascii")
            out.write("code %d %d %s %s\n" % (co.co_firstlineno,
                                              len(co.co_code),
                                              tab.hex() or "-", safe))
            for off, line in expected_lines(co):
                out.write("%d %d\n" % (off, line))
                noff += 1
            nbad += positions_disagree(co)
            ncode += 1
        out.write("end\n")
    sys.stderr.write("corpus %d.%d: %d code objects, %d offsets%s\n" % (
        sys.version_info[0], sys.version_info[1], ncode, noff,
        ", %d co_positions/co_lines disagreements" % nbad if nbad else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
