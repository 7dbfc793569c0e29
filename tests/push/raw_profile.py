#!/usr/bin/env python3
"""raw_profile.py BODY OUT: writes the raw_profile of the first sample of
the first series of a push.v1.PushRequest (series = 1, samples = 2,
raw_profile = 1) to OUT, read with a minimal protobuf walker (stdlib)."""
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


def field(b, want):
    """The first length-delimited field numbered want."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            _, i = varint(b, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            n, i = varint(b, i)
            if num == want:
                return b[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % wire)
    raise KeyError(want)


body = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(field(field(field(body, 1), 2), 1))
