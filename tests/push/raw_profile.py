#!/usr/bin/env python3
"""raw_profile.py BODY OUT: writes the raw_profile of the first sample of
the first series of a push.v1.PushRequest (series = 1, samples = 2,
raw_profile = 1) to OUT, read with a minimal protobuf walker (stdlib)."""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pprof_read import fields  # noqa: E402  (the one stdlib protobuf walker of the tests)


def field(b, want):
    """The first length-delimited field numbered want."""
    for num, wire, v in fields(b):
        if num == want and wire == 2:
            return v
    raise KeyError(want)


body = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(field(field(field(body, 1), 2), 1))
