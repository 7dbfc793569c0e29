#!/usr/bin/env python3
"""An independent reader of pprof files (gzipped profile.proto), for the
tests: a few dozen lines of protobuf decoding from the published field
numbers (github.com/google/pprof proto/profile.proto), sharing nothing
with pybpftop's own writer or reader.

  pprof_read.py summary FILE...   one JSON object per file: its labels
                                  (comments "label K=V"), time_nanos,
                                  total of the first value, the first
                                  value per leaf function, per thread_name
"""
import gzip
import json
import sys


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field, wire type, value) for each field of message b."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def packed(wt, v):
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def read(path):
    with open(path, "rb") as fh:
        data = gzip.decompress(fh.read())
    strings, samples, locs, funcs, comments = [], [], {}, {}, []
    time_nanos = duration = 0
    for f, wt, v in fields(data):
        if f == 6:
            strings.append(v.decode("utf-8"))
        elif f == 2:
            s = {"loc": [], "val": [], "labels": []}
            for g, gwt, gv in fields(v):
                if g == 1:
                    s["loc"] += packed(gwt, gv)
                elif g == 2:
                    s["val"] += packed(gwt, gv)
                elif g == 3:
                    s["labels"].append({h: hv for h, _, hv in fields(gv)})
            samples.append(s)
        elif f == 4:
            loc = dict((g, gv) for g, _, gv in fields(v) if g != 4)
            lines = [dict((h, hv) for h, _, hv in fields(gv)) for g, _, gv in fields(v) if g == 4]
            locs[loc.get(1, 0)] = lines
        elif f == 5:
            fn = dict((g, gv) for g, _, gv in fields(v))
            funcs[fn.get(1, 0)] = fn.get(2, 0)
        elif f == 13:
            comments.append(v)
        elif f == 9:
            time_nanos = v
        elif f == 10:
            duration = v
    labels = {}
    for c in comments:
        text = strings[c]
        if text.startswith("label ") and "=" in text:
            k, _, val = text[6:].partition("=")
            labels[k] = val
    leaf, threads, total = {}, {}, 0
    for s in samples:
        n = s["val"][0] if s["val"] else 0
        total += n
        name = "?"
        if s["loc"] and locs.get(s["loc"][0]):
            name = strings[funcs.get(locs[s["loc"][0]][0].get(1, 0), 0)]
        leaf[name] = leaf.get(name, 0) + n
        for lab in s["labels"]:
            if strings[lab.get(1, 0)] == "thread_name":
                t = strings[lab.get(2, 0)]
                threads[t] = threads.get(t, 0) + n
    return {"file": path, "labels": labels, "time_nanos": time_nanos,
            "duration_nanos": duration, "total": total,
            "leaf": leaf, "threads": threads}


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "summary":
        sys.exit(__doc__)
    for p in sys.argv[2:]:
        print(json.dumps(read(p)))
