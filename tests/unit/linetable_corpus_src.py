# -*- coding: utf-8 -*-
"""Corpus source for the line-table tests (tests/unit/gen_linetable_corpus.py).

Never imported or run: it is only compiled, and every code object in it is
checked. It must stay valid syntax for CPython 3.8 onwards. The shapes here
exist to exercise the table encodings: big forward/backward line jumps
(>127, >255 lines), long runs of bytecode on one line (>255 bytes), long
lines (columns >255), lines without code, and every kind of nested code.
"""
import asyncio
import contextlib
import functools


def decorate(tag):
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            return fn(*args, **kwargs)
        inner.tag = tag
        return inner
    return wrap


@decorate("simple")
def simple(a, b=2, *rest, c, d=4, **kw):
    total = a + b
    for x in rest:
        total += x
    return total + c + d + len(kw)


def loops(n):
    acc = 0
    i = 0
    while i < n:
        i += 1
        if i % 3 == 0:
            continue
        for j in range(i):
            if j > 10:
                break
            acc += j
        else:
            acc -= 1
    return acc


def exceptions(path):
    try:
        f = open(path)
    except FileNotFoundError as e:
        print("missing", e)
        return None
    except (OSError, ValueError):
        raise
    else:
        try:
            return f.read()
        finally:
            f.close()
    finally:
        print("done")


def withs(a, b):
    with open(a) as fa, open(b) as fb:
        data = fa.read() + fb.read()
    with contextlib.suppress(KeyError):
        {}[data]
    return data


def comprehensions(rows):
    flat = [x for row in rows for x in row if x]
    nested = [[y * 2 for y in row] for row in rows]
    sets = {x % 7 for x in flat}
    maps = {k: [v for v in range(k)] for k in sets}
    gen = sum(x for x in flat if x not in sets)
    deep = [[[z for z in range(y)] for y in range(x)] for x in range(3)]
    return flat, nested, sets, maps, gen, deep


def lambdas():
    add = lambda a, b: a + b
    key = sorted([3, 1, 2], key=lambda v: -v)
    curry = lambda a: (lambda b: (lambda c: a + b + c))
    return add, key, curry(1)(2)(3)


def generator(n):
    for i in range(n):
        got = yield i
        if got:
            yield from range(got)
    return n


async def fetch(x):
    await asyncio.sleep(0)
    return x


async def async_things(items):
    async with contextlib.AsyncExitStack() as stack:
        results = [await fetch(i) for i in items]
        async for _ in agen(3):
            stack.push_async_callback(fetch, _)
    return results


async def agen(n):
    for i in range(n):
        yield i
        await asyncio.sleep(0)


class Shape:
    """A class with methods, properties, static and class methods."""
    sides = 0

    def __init__(self, name):
        self.name = name

    @property
    def label(self):
        return "%s/%d" % (self.name, self.sides)

    @staticmethod
    def unit():
        return Shape("unit")

    @classmethod
    def make(cls, *names):
        return [cls(n) for n in names]

    def __repr__(self):
        return "Shape(%r)" % (self.name,)

    class Inner:
        def method(self):
            return lambda: self


def grüße_λ(名前):
    """A function with a non-ASCII name."""
    ausgabe = "Hallo " + 名前
    return ausgabe


def sparse():
    """Lines with no code between statements."""

    # a comment

    x = 1



    # more comments
    pass

    y = (x

         +

         1)
    return y


def long_function(seq):
    total = 0
    # --- a forward jump of 150 lines over comments ---
    # filler 0
    # filler 1
    # filler 2
    # filler 3
    # filler 4
    # filler 5
    # filler 6
    # filler 7
    # filler 8
    # filler 9
    # filler 10
    # filler 11
    # filler 12
    # filler 13
    # filler 14
    # filler 15
    # filler 16
    # filler 17
    # filler 18
    # filler 19
    # filler 20
    # filler 21
    # filler 22
    # filler 23
    # filler 24
    # filler 25
    # filler 26
    # filler 27
    # filler 28
    # filler 29
    # filler 30
    # filler 31
    # filler 32
    # filler 33
    # filler 34
    # filler 35
    # filler 36
    # filler 37
    # filler 38
    # filler 39
    # filler 40
    # filler 41
    # filler 42
    # filler 43
    # filler 44
    # filler 45
    # filler 46
    # filler 47
    # filler 48
    # filler 49
    # filler 50
    # filler 51
    # filler 52
    # filler 53
    # filler 54
    # filler 55
    # filler 56
    # filler 57
    # filler 58
    # filler 59
    # filler 60
    # filler 61
    # filler 62
    # filler 63
    # filler 64
    # filler 65
    # filler 66
    # filler 67
    # filler 68
    # filler 69
    # filler 70
    # filler 71
    # filler 72
    # filler 73
    # filler 74
    # filler 75
    # filler 76
    # filler 77
    # filler 78
    # filler 79
    # filler 80
    # filler 81
    # filler 82
    # filler 83
    # filler 84
    # filler 85
    # filler 86
    # filler 87
    # filler 88
    # filler 89
    # filler 90
    # filler 91
    # filler 92
    # filler 93
    # filler 94
    # filler 95
    # filler 96
    # filler 97
    # filler 98
    # filler 99
    # filler 100
    # filler 101
    # filler 102
    # filler 103
    # filler 104
    # filler 105
    # filler 106
    # filler 107
    # filler 108
    # filler 109
    # filler 110
    # filler 111
    # filler 112
    # filler 113
    # filler 114
    # filler 115
    # filler 116
    # filler 117
    # filler 118
    # filler 119
    # filler 120
    # filler 121
    # filler 122
    # filler 123
    # filler 124
    # filler 125
    # filler 126
    # filler 127
    # filler 128
    # filler 129
    # filler 130
    # filler 131
    # filler 132
    # filler 133
    # filler 134
    # filler 135
    # filler 136
    # filler 137
    # filler 138
    # filler 139
    # filler 140
    # filler 141
    # filler 142
    # filler 143
    # filler 144
    # filler 145
    # filler 146
    # filler 147
    # filler 148
    # filler 149
    total += 1
    # --- a forward jump of 300 lines over comments ---
    # more filler 0
    # more filler 1
    # more filler 2
    # more filler 3
    # more filler 4
    # more filler 5
    # more filler 6
    # more filler 7
    # more filler 8
    # more filler 9
    # more filler 10
    # more filler 11
    # more filler 12
    # more filler 13
    # more filler 14
    # more filler 15
    # more filler 16
    # more filler 17
    # more filler 18
    # more filler 19
    # more filler 20
    # more filler 21
    # more filler 22
    # more filler 23
    # more filler 24
    # more filler 25
    # more filler 26
    # more filler 27
    # more filler 28
    # more filler 29
    # more filler 30
    # more filler 31
    # more filler 32
    # more filler 33
    # more filler 34
    # more filler 35
    # more filler 36
    # more filler 37
    # more filler 38
    # more filler 39
    # more filler 40
    # more filler 41
    # more filler 42
    # more filler 43
    # more filler 44
    # more filler 45
    # more filler 46
    # more filler 47
    # more filler 48
    # more filler 49
    # more filler 50
    # more filler 51
    # more filler 52
    # more filler 53
    # more filler 54
    # more filler 55
    # more filler 56
    # more filler 57
    # more filler 58
    # more filler 59
    # more filler 60
    # more filler 61
    # more filler 62
    # more filler 63
    # more filler 64
    # more filler 65
    # more filler 66
    # more filler 67
    # more filler 68
    # more filler 69
    # more filler 70
    # more filler 71
    # more filler 72
    # more filler 73
    # more filler 74
    # more filler 75
    # more filler 76
    # more filler 77
    # more filler 78
    # more filler 79
    # more filler 80
    # more filler 81
    # more filler 82
    # more filler 83
    # more filler 84
    # more filler 85
    # more filler 86
    # more filler 87
    # more filler 88
    # more filler 89
    # more filler 90
    # more filler 91
    # more filler 92
    # more filler 93
    # more filler 94
    # more filler 95
    # more filler 96
    # more filler 97
    # more filler 98
    # more filler 99
    # more filler 100
    # more filler 101
    # more filler 102
    # more filler 103
    # more filler 104
    # more filler 105
    # more filler 106
    # more filler 107
    # more filler 108
    # more filler 109
    # more filler 110
    # more filler 111
    # more filler 112
    # more filler 113
    # more filler 114
    # more filler 115
    # more filler 116
    # more filler 117
    # more filler 118
    # more filler 119
    # more filler 120
    # more filler 121
    # more filler 122
    # more filler 123
    # more filler 124
    # more filler 125
    # more filler 126
    # more filler 127
    # more filler 128
    # more filler 129
    # more filler 130
    # more filler 131
    # more filler 132
    # more filler 133
    # more filler 134
    # more filler 135
    # more filler 136
    # more filler 137
    # more filler 138
    # more filler 139
    # more filler 140
    # more filler 141
    # more filler 142
    # more filler 143
    # more filler 144
    # more filler 145
    # more filler 146
    # more filler 147
    # more filler 148
    # more filler 149
    # more filler 150
    # more filler 151
    # more filler 152
    # more filler 153
    # more filler 154
    # more filler 155
    # more filler 156
    # more filler 157
    # more filler 158
    # more filler 159
    # more filler 160
    # more filler 161
    # more filler 162
    # more filler 163
    # more filler 164
    # more filler 165
    # more filler 166
    # more filler 167
    # more filler 168
    # more filler 169
    # more filler 170
    # more filler 171
    # more filler 172
    # more filler 173
    # more filler 174
    # more filler 175
    # more filler 176
    # more filler 177
    # more filler 178
    # more filler 179
    # more filler 180
    # more filler 181
    # more filler 182
    # more filler 183
    # more filler 184
    # more filler 185
    # more filler 186
    # more filler 187
    # more filler 188
    # more filler 189
    # more filler 190
    # more filler 191
    # more filler 192
    # more filler 193
    # more filler 194
    # more filler 195
    # more filler 196
    # more filler 197
    # more filler 198
    # more filler 199
    # more filler 200
    # more filler 201
    # more filler 202
    # more filler 203
    # more filler 204
    # more filler 205
    # more filler 206
    # more filler 207
    # more filler 208
    # more filler 209
    # more filler 210
    # more filler 211
    # more filler 212
    # more filler 213
    # more filler 214
    # more filler 215
    # more filler 216
    # more filler 217
    # more filler 218
    # more filler 219
    # more filler 220
    # more filler 221
    # more filler 222
    # more filler 223
    # more filler 224
    # more filler 225
    # more filler 226
    # more filler 227
    # more filler 228
    # more filler 229
    # more filler 230
    # more filler 231
    # more filler 232
    # more filler 233
    # more filler 234
    # more filler 235
    # more filler 236
    # more filler 237
    # more filler 238
    # more filler 239
    # more filler 240
    # more filler 241
    # more filler 242
    # more filler 243
    # more filler 244
    # more filler 245
    # more filler 246
    # more filler 247
    # more filler 248
    # more filler 249
    # more filler 250
    # more filler 251
    # more filler 252
    # more filler 253
    # more filler 254
    # more filler 255
    # more filler 256
    # more filler 257
    # more filler 258
    # more filler 259
    # more filler 260
    # more filler 261
    # more filler 262
    # more filler 263
    # more filler 264
    # more filler 265
    # more filler 266
    # more filler 267
    # more filler 268
    # more filler 269
    # more filler 270
    # more filler 271
    # more filler 272
    # more filler 273
    # more filler 274
    # more filler 275
    # more filler 276
    # more filler 277
    # more filler 278
    # more filler 279
    # more filler 280
    # more filler 281
    # more filler 282
    # more filler 283
    # more filler 284
    # more filler 285
    # more filler 286
    # more filler 287
    # more filler 288
    # more filler 289
    # more filler 290
    # more filler 291
    # more filler 292
    # more filler 293
    # more filler 294
    # more filler 295
    # more filler 296
    # more filler 297
    # more filler 298
    # more filler 299
    total += 2
    for item in seq:
        # loop body far from the header: the back jump is >255 lines
        # loop filler 0
        # loop filler 1
        # loop filler 2
        # loop filler 3
        # loop filler 4
        # loop filler 5
        # loop filler 6
        # loop filler 7
        # loop filler 8
        # loop filler 9
        # loop filler 10
        # loop filler 11
        # loop filler 12
        # loop filler 13
        # loop filler 14
        # loop filler 15
        # loop filler 16
        # loop filler 17
        # loop filler 18
        # loop filler 19
        # loop filler 20
        # loop filler 21
        # loop filler 22
        # loop filler 23
        # loop filler 24
        # loop filler 25
        # loop filler 26
        # loop filler 27
        # loop filler 28
        # loop filler 29
        # loop filler 30
        # loop filler 31
        # loop filler 32
        # loop filler 33
        # loop filler 34
        # loop filler 35
        # loop filler 36
        # loop filler 37
        # loop filler 38
        # loop filler 39
        # loop filler 40
        # loop filler 41
        # loop filler 42
        # loop filler 43
        # loop filler 44
        # loop filler 45
        # loop filler 46
        # loop filler 47
        # loop filler 48
        # loop filler 49
        # loop filler 50
        # loop filler 51
        # loop filler 52
        # loop filler 53
        # loop filler 54
        # loop filler 55
        # loop filler 56
        # loop filler 57
        # loop filler 58
        # loop filler 59
        # loop filler 60
        # loop filler 61
        # loop filler 62
        # loop filler 63
        # loop filler 64
        # loop filler 65
        # loop filler 66
        # loop filler 67
        # loop filler 68
        # loop filler 69
        # loop filler 70
        # loop filler 71
        # loop filler 72
        # loop filler 73
        # loop filler 74
        # loop filler 75
        # loop filler 76
        # loop filler 77
        # loop filler 78
        # loop filler 79
        # loop filler 80
        # loop filler 81
        # loop filler 82
        # loop filler 83
        # loop filler 84
        # loop filler 85
        # loop filler 86
        # loop filler 87
        # loop filler 88
        # loop filler 89
        # loop filler 90
        # loop filler 91
        # loop filler 92
        # loop filler 93
        # loop filler 94
        # loop filler 95
        # loop filler 96
        # loop filler 97
        # loop filler 98
        # loop filler 99
        # loop filler 100
        # loop filler 101
        # loop filler 102
        # loop filler 103
        # loop filler 104
        # loop filler 105
        # loop filler 106
        # loop filler 107
        # loop filler 108
        # loop filler 109
        # loop filler 110
        # loop filler 111
        # loop filler 112
        # loop filler 113
        # loop filler 114
        # loop filler 115
        # loop filler 116
        # loop filler 117
        # loop filler 118
        # loop filler 119
        # loop filler 120
        # loop filler 121
        # loop filler 122
        # loop filler 123
        # loop filler 124
        # loop filler 125
        # loop filler 126
        # loop filler 127
        # loop filler 128
        # loop filler 129
        # loop filler 130
        # loop filler 131
        # loop filler 132
        # loop filler 133
        # loop filler 134
        # loop filler 135
        # loop filler 136
        # loop filler 137
        # loop filler 138
        # loop filler 139
        # loop filler 140
        # loop filler 141
        # loop filler 142
        # loop filler 143
        # loop filler 144
        # loop filler 145
        # loop filler 146
        # loop filler 147
        # loop filler 148
        # loop filler 149
        # loop filler 150
        # loop filler 151
        # loop filler 152
        # loop filler 153
        # loop filler 154
        # loop filler 155
        # loop filler 156
        # loop filler 157
        # loop filler 158
        # loop filler 159
        # loop filler 160
        # loop filler 161
        # loop filler 162
        # loop filler 163
        # loop filler 164
        # loop filler 165
        # loop filler 166
        # loop filler 167
        # loop filler 168
        # loop filler 169
        # loop filler 170
        # loop filler 171
        # loop filler 172
        # loop filler 173
        # loop filler 174
        # loop filler 175
        # loop filler 176
        # loop filler 177
        # loop filler 178
        # loop filler 179
        # loop filler 180
        # loop filler 181
        # loop filler 182
        # loop filler 183
        # loop filler 184
        # loop filler 185
        # loop filler 186
        # loop filler 187
        # loop filler 188
        # loop filler 189
        # loop filler 190
        # loop filler 191
        # loop filler 192
        # loop filler 193
        # loop filler 194
        # loop filler 195
        # loop filler 196
        # loop filler 197
        # loop filler 198
        # loop filler 199
        # loop filler 200
        # loop filler 201
        # loop filler 202
        # loop filler 203
        # loop filler 204
        # loop filler 205
        # loop filler 206
        # loop filler 207
        # loop filler 208
        # loop filler 209
        # loop filler 210
        # loop filler 211
        # loop filler 212
        # loop filler 213
        # loop filler 214
        # loop filler 215
        # loop filler 216
        # loop filler 217
        # loop filler 218
        # loop filler 219
        # loop filler 220
        # loop filler 221
        # loop filler 222
        # loop filler 223
        # loop filler 224
        # loop filler 225
        # loop filler 226
        # loop filler 227
        # loop filler 228
        # loop filler 229
        # loop filler 230
        # loop filler 231
        # loop filler 232
        # loop filler 233
        # loop filler 234
        # loop filler 235
        # loop filler 236
        # loop filler 237
        # loop filler 238
        # loop filler 239
        # loop filler 240
        # loop filler 241
        # loop filler 242
        # loop filler 243
        # loop filler 244
        # loop filler 245
        # loop filler 246
        # loop filler 247
        # loop filler 248
        # loop filler 249
        # loop filler 250
        # loop filler 251
        # loop filler 252
        # loop filler 253
        # loop filler 254
        # loop filler 255
        # loop filler 256
        # loop filler 257
        # loop filler 258
        # loop filler 259
        # loop filler 260
        # loop filler 261
        # loop filler 262
        # loop filler 263
        # loop filler 264
        # loop filler 265
        # loop filler 266
        # loop filler 267
        # loop filler 268
        # loop filler 269
        # loop filler 270
        # loop filler 271
        # loop filler 272
        # loop filler 273
        # loop filler 274
        # loop filler 275
        # loop filler 276
        # loop filler 277
        # loop filler 278
        # loop filler 279
        total += item
    while total > 1000:
        # while filler 0
        # while filler 1
        # while filler 2
        # while filler 3
        # while filler 4
        # while filler 5
        # while filler 6
        # while filler 7
        # while filler 8
        # while filler 9
        # while filler 10
        # while filler 11
        # while filler 12
        # while filler 13
        # while filler 14
        # while filler 15
        # while filler 16
        # while filler 17
        # while filler 18
        # while filler 19
        # while filler 20
        # while filler 21
        # while filler 22
        # while filler 23
        # while filler 24
        # while filler 25
        # while filler 26
        # while filler 27
        # while filler 28
        # while filler 29
        # while filler 30
        # while filler 31
        # while filler 32
        # while filler 33
        # while filler 34
        # while filler 35
        # while filler 36
        # while filler 37
        # while filler 38
        # while filler 39
        # while filler 40
        # while filler 41
        # while filler 42
        # while filler 43
        # while filler 44
        # while filler 45
        # while filler 46
        # while filler 47
        # while filler 48
        # while filler 49
        # while filler 50
        # while filler 51
        # while filler 52
        # while filler 53
        # while filler 54
        # while filler 55
        # while filler 56
        # while filler 57
        # while filler 58
        # while filler 59
        # while filler 60
        # while filler 61
        # while filler 62
        # while filler 63
        # while filler 64
        # while filler 65
        # while filler 66
        # while filler 67
        # while filler 68
        # while filler 69
        # while filler 70
        # while filler 71
        # while filler 72
        # while filler 73
        # while filler 74
        # while filler 75
        # while filler 76
        # while filler 77
        # while filler 78
        # while filler 79
        # while filler 80
        # while filler 81
        # while filler 82
        # while filler 83
        # while filler 84
        # while filler 85
        # while filler 86
        # while filler 87
        # while filler 88
        # while filler 89
        # while filler 90
        # while filler 91
        # while filler 92
        # while filler 93
        # while filler 94
        # while filler 95
        # while filler 96
        # while filler 97
        # while filler 98
        # while filler 99
        # while filler 100
        # while filler 101
        # while filler 102
        # while filler 103
        # while filler 104
        # while filler 105
        # while filler 106
        # while filler 107
        # while filler 108
        # while filler 109
        # while filler 110
        # while filler 111
        # while filler 112
        # while filler 113
        # while filler 114
        # while filler 115
        # while filler 116
        # while filler 117
        # while filler 118
        # while filler 119
        # while filler 120
        # while filler 121
        # while filler 122
        # while filler 123
        # while filler 124
        # while filler 125
        # while filler 126
        # while filler 127
        # while filler 128
        # while filler 129
        # while filler 130
        # while filler 131
        # while filler 132
        # while filler 133
        # while filler 134
        # while filler 135
        # while filler 136
        # while filler 137
        # while filler 138
        # while filler 139
        total -= 1000
    big = [seq[0], seq[1], seq[2], seq[3], seq[4], seq[5], seq[6], seq[7], seq[8], seq[9], seq[10], seq[11], seq[12], seq[13], seq[14], seq[15], seq[16], seq[17], seq[18], seq[19], seq[20], seq[21], seq[22], seq[23], seq[24], seq[25], seq[26], seq[27], seq[28], seq[29], seq[30], seq[31], seq[32], seq[33], seq[34], seq[35], seq[36], seq[37], seq[38], seq[39], seq[40], seq[41], seq[42], seq[43], seq[44], seq[45], seq[46], seq[47], seq[48], seq[49], seq[50], seq[51], seq[52], seq[53], seq[54], seq[55], seq[56], seq[57], seq[58], seq[59], seq[60], seq[61], seq[62], seq[63], seq[64], seq[65], seq[66], seq[67], seq[68], seq[69], seq[70], seq[71], seq[72], seq[73], seq[74], seq[75], seq[76], seq[77], seq[78], seq[79], seq[80], seq[81], seq[82], seq[83], seq[84], seq[85], seq[86], seq[87], seq[88], seq[89], seq[90], seq[91], seq[92], seq[93], seq[94], seq[95], seq[96], seq[97], seq[98], seq[99], seq[100], seq[101], seq[102], seq[103], seq[104], seq[105], seq[106], seq[107], seq[108], seq[109], seq[110], seq[111], seq[112], seq[113], seq[114], seq[115], seq[116], seq[117], seq[118], seq[119]]
    wide = total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total + total
    total += 0
    total += 1
    total += 2
    total += 3
    total += 4
    total += 5
    total += 6
    total += 7
    total += 8
    total += 9
    total += 10
    total += 11
    total += 12
    total += 13
    total += 14
    total += 15
    total += 16
    total += 17
    total += 18
    total += 19
    total += 20
    total += 21
    total += 22
    total += 23
    total += 24
    total += 25
    total += 26
    total += 27
    total += 28
    total += 29
    total += 30
    total += 31
    total += 32
    total += 33
    total += 34
    total += 35
    total += 36
    total += 37
    total += 38
    total += 39
    expr = (

        # gap
        total * 0 +
        total * 1 +
        total * 2 +
        total * 3 +
        total * 4 +
        total * 5 +
        total * 6 +
        total * 7 +
        total * 8 +
        total * 9 +

        # gap
        total * 10 +
        total * 11 +
        total * 12 +
        total * 13 +
        total * 14 +
        total * 15 +
        total * 16 +
        total * 17 +
        total * 18 +
        total * 19 +

        # gap
        total * 20 +
        total * 21 +
        total * 22 +
        total * 23 +
        total * 24 +
        total * 25 +
        total * 26 +
        total * 27 +
        total * 28 +
        total * 29 +

        # gap
        total * 30 +
        total * 31 +
        total * 32 +
        total * 33 +
        total * 34 +
        total * 35 +
        total * 36 +
        total * 37 +
        total * 38 +
        total * 39 +

        # gap
        total * 40 +
        total * 41 +
        total * 42 +
        total * 43 +
        total * 44 +
        total * 45 +
        total * 46 +
        total * 47 +
        total * 48 +
        total * 49 +

        # gap
        total * 50 +
        total * 51 +
        total * 52 +
        total * 53 +
        total * 54 +
        total * 55 +
        total * 56 +
        total * 57 +
        total * 58 +
        total * 59 +

        # gap
        total * 60 +
        total * 61 +
        total * 62 +
        total * 63 +
        total * 64 +
        total * 65 +
        total * 66 +
        total * 67 +
        total * 68 +
        total * 69 +

        # gap
        total * 70 +
        total * 71 +
        total * 72 +
        total * 73 +
        total * 74 +
        total * 75 +
        total * 76 +
        total * 77 +
        total * 78 +
        total * 79 +

        # gap
        total * 80 +
        total * 81 +
        total * 82 +
        total * 83 +
        total * 84 +
        total * 85 +
        total * 86 +
        total * 87 +
        total * 88 +
        total * 89 +

        # gap
        total * 90 +
        total * 91 +
        total * 92 +
        total * 93 +
        total * 94 +
        total * 95 +
        total * 96 +
        total * 97 +
        total * 98 +
        total * 99 +

        # gap
        total * 100 +
        total * 101 +
        total * 102 +
        total * 103 +
        total * 104 +
        total * 105 +
        total * 106 +
        total * 107 +
        total * 108 +
        total * 109 +

        # gap
        total * 110 +
        total * 111 +
        total * 112 +
        total * 113 +
        total * 114 +
        total * 115 +
        total * 116 +
        total * 117 +
        total * 118 +
        total * 119 +

        # gap
        total * 120 +
        total * 121 +
        total * 122 +
        total * 123 +
        total * 124 +
        total * 125 +
        total * 126 +
        total * 127 +
        total * 128 +
        total * 129 +

        # gap
        total * 130 +
        total * 131 +
        total * 132 +
        total * 133 +
        total * 134 +
        total * 135 +
        total * 136 +
        total * 137 +
        total * 138 +
        total * 139 +

        # gap
        total * 140 +
        total * 141 +
        total * 142 +
        total * 143 +
        total * 144 +
        total * 145 +
        total * 146 +
        total * 147 +
        total * 148 +
        total * 149 +

        # gap
        total * 150 +
        total * 151 +
        total * 152 +
        total * 153 +
        total * 154 +
        total * 155 +
        total * 156 +
        total * 157 +
        total * 158 +
        total * 159 +

        # gap
        total * 160 +
        total * 161 +
        total * 162 +
        total * 163 +
        total * 164 +
        total * 165 +
        total * 166 +
        total * 167 +
        total * 168 +
        total * 169 +

        # gap
        total * 170 +
        total * 171 +
        total * 172 +
        total * 173 +
        total * 174 +
        total * 175 +
        total * 176 +
        total * 177 +
        total * 178 +
        total * 179 +

        # gap
        total * 180 +
        total * 181 +
        total * 182 +
        total * 183 +
        total * 184 +
        total * 185 +
        total * 186 +
        total * 187 +
        total * 188 +
        total * 189 +

        # gap
        total * 190 +
        total * 191 +
        total * 192 +
        total * 193 +
        total * 194 +
        total * 195 +
        total * 196 +
        total * 197 +
        total * 198 +
        total * 199 +
        0
    )
    call = max(
        seq[0],
        seq[1],
        seq[2],
        seq[3],
        seq[4],
        seq[5],
        seq[6],
        seq[7],
        seq[8],
        seq[9],
        seq[10],
        seq[11],
        seq[12],
        seq[13],
        seq[14],
        seq[15],
        seq[16],
        seq[17],
        seq[18],
        seq[19],
        seq[20],
        seq[21],
        seq[22],
        seq[23],
        seq[24],
        seq[25],
        seq[26],
        seq[27],
        seq[28],
        seq[29],
        seq[30],
        seq[31],
        seq[32],
        seq[33],
        seq[34],
        seq[35],
        seq[36],
        seq[37],
        seq[38],
        seq[39],
        seq[40],
        seq[41],
        seq[42],
        seq[43],
        seq[44],
        seq[45],
        seq[46],
        seq[47],
        seq[48],
        seq[49],
        seq[50],
        seq[51],
        seq[52],
        seq[53],
        seq[54],
        seq[55],
        seq[56],
        seq[57],
        seq[58],
        seq[59],
        seq[60],
        seq[61],
        seq[62],
        seq[63],
        seq[64],
        seq[65],
        seq[66],
        seq[67],
        seq[68],
        seq[69],
        seq[70],
        seq[71],
        seq[72],
        seq[73],
        seq[74],
        seq[75],
        seq[76],
        seq[77],
        seq[78],
        seq[79],
        seq[80],
        seq[81],
        seq[82],
        seq[83],
        seq[84],
        seq[85],
        seq[86],
        seq[87],
        seq[88],
        seq[89],
        seq[90],
        seq[91],
        seq[92],
        seq[93],
        seq[94],
        seq[95],
        seq[96],
        seq[97],
        seq[98],
        seq[99],
        seq[100],
        seq[101],
        seq[102],
        seq[103],
        seq[104],
        seq[105],
        seq[106],
        seq[107],
        seq[108],
        seq[109],
        seq[110],
        seq[111],
        seq[112],
        seq[113],
        seq[114],
        seq[115],
        seq[116],
        seq[117],
        seq[118],
        seq[119],
        seq[120],
        seq[121],
        seq[122],
        seq[123],
        seq[124],
        seq[125],
        seq[126],
        seq[127],
        seq[128],
        seq[129],
        seq[130],
        seq[131],
        seq[132],
        seq[133],
        seq[134],
        seq[135],
        seq[136],
        seq[137],
        seq[138],
        seq[139],
        seq[140],
        seq[141],
        seq[142],
        seq[143],
        seq[144],
        seq[145],
        seq[146],
        seq[147],
        seq[148],
        seq[149],
    )
    return total, big, wide, expr, call


def many_statements(a):
    a = a * 1 + 0
    a = a * 2 + 1
    a = a * 3 + 2
    a = a * 4 + 3
    a = a * 5 + 4
    a = a * 6 + 5
    a = a * 7 + 6
    a = a * 1 + 7
    a = a * 2 + 8
    a = a * 3 + 9
    a = a * 4 + 10
    a = a * 5 + 11
    a = a * 6 + 12
    a = a * 7 + 13
    a = a * 1 + 14
    a = a * 2 + 15
    a = a * 3 + 16
    a = a * 4 + 17
    a = a * 5 + 18
    a = a * 6 + 19
    a = a * 7 + 20
    a = a * 1 + 21
    a = a * 2 + 22
    a = a * 3 + 23
    a = a * 4 + 24
    a = a * 5 + 25
    a = a * 6 + 26
    a = a * 7 + 27
    a = a * 1 + 28
    a = a * 2 + 29
    a = a * 3 + 30
    a = a * 4 + 31
    a = a * 5 + 32
    a = a * 6 + 33
    a = a * 7 + 34
    a = a * 1 + 35
    a = a * 2 + 36
    a = a * 3 + 37
    a = a * 4 + 38
    a = a * 5 + 39
    a = a * 6 + 40
    a = a * 7 + 41
    a = a * 1 + 42
    a = a * 2 + 43
    a = a * 3 + 44
    a = a * 4 + 45
    a = a * 5 + 46
    a = a * 6 + 47
    a = a * 7 + 48
    a = a * 1 + 49
    a = a * 2 + 50
    a = a * 3 + 51
    a = a * 4 + 52
    a = a * 5 + 53
    a = a * 6 + 54
    a = a * 7 + 55
    a = a * 1 + 56
    a = a * 2 + 57
    a = a * 3 + 58
    a = a * 4 + 59
    a = a * 5 + 60
    a = a * 6 + 61
    a = a * 7 + 62
    a = a * 1 + 63
    a = a * 2 + 64
    a = a * 3 + 65
    a = a * 4 + 66
    a = a * 5 + 67
    a = a * 6 + 68
    a = a * 7 + 69
    a = a * 1 + 70
    a = a * 2 + 71
    a = a * 3 + 72
    a = a * 4 + 73
    a = a * 5 + 74
    a = a * 6 + 75
    a = a * 7 + 76
    a = a * 1 + 77
    a = a * 2 + 78
    a = a * 3 + 79
    a = a * 4 + 80
    a = a * 5 + 81
    a = a * 6 + 82
    a = a * 7 + 83
    a = a * 1 + 84
    a = a * 2 + 85
    a = a * 3 + 86
    a = a * 4 + 87
    a = a * 5 + 88
    a = a * 6 + 89
    a = a * 7 + 90
    a = a * 1 + 91
    a = a * 2 + 92
    a = a * 3 + 93
    a = a * 4 + 94
    a = a * 5 + 95
    a = a * 6 + 96
    a = a * 7 + 97
    a = a * 1 + 98
    a = a * 2 + 99
    a = a * 3 + 100
    a = a * 4 + 101
    a = a * 5 + 102
    a = a * 6 + 103
    a = a * 7 + 104
    a = a * 1 + 105
    a = a * 2 + 106
    a = a * 3 + 107
    a = a * 4 + 108
    a = a * 5 + 109
    a = a * 6 + 110
    a = a * 7 + 111
    a = a * 1 + 112
    a = a * 2 + 113
    a = a * 3 + 114
    a = a * 4 + 115
    a = a * 5 + 116
    a = a * 6 + 117
    a = a * 7 + 118
    a = a * 1 + 119
    a = a * 2 + 120
    a = a * 3 + 121
    a = a * 4 + 122
    a = a * 5 + 123
    a = a * 6 + 124
    a = a * 7 + 125
    a = a * 1 + 126
    a = a * 2 + 127
    a = a * 3 + 128
    a = a * 4 + 129
    a = a * 5 + 130
    a = a * 6 + 131
    a = a * 7 + 132
    a = a * 1 + 133
    a = a * 2 + 134
    a = a * 3 + 135
    a = a * 4 + 136
    a = a * 5 + 137
    a = a * 6 + 138
    a = a * 7 + 139
    a = a * 1 + 140
    a = a * 2 + 141
    a = a * 3 + 142
    a = a * 4 + 143
    a = a * 5 + 144
    a = a * 6 + 145
    a = a * 7 + 146
    a = a * 1 + 147
    a = a * 2 + 148
    a = a * 3 + 149
    a = a * 4 + 150
    a = a * 5 + 151
    a = a * 6 + 152
    a = a * 7 + 153
    a = a * 1 + 154
    a = a * 2 + 155
    a = a * 3 + 156
    a = a * 4 + 157
    a = a * 5 + 158
    a = a * 6 + 159
    a = a * 7 + 160
    a = a * 1 + 161
    a = a * 2 + 162
    a = a * 3 + 163
    a = a * 4 + 164
    a = a * 5 + 165
    a = a * 6 + 166
    a = a * 7 + 167
    a = a * 1 + 168
    a = a * 2 + 169
    a = a * 3 + 170
    a = a * 4 + 171
    a = a * 5 + 172
    a = a * 6 + 173
    a = a * 7 + 174
    a = a * 1 + 175
    a = a * 2 + 176
    a = a * 3 + 177
    a = a * 4 + 178
    a = a * 5 + 179
    a = a * 6 + 180
    a = a * 7 + 181
    a = a * 1 + 182
    a = a * 2 + 183
    a = a * 3 + 184
    a = a * 4 + 185
    a = a * 5 + 186
    a = a * 6 + 187
    a = a * 7 + 188
    a = a * 1 + 189
    a = a * 2 + 190
    a = a * 3 + 191
    a = a * 4 + 192
    a = a * 5 + 193
    a = a * 6 + 194
    a = a * 7 + 195
    a = a * 1 + 196
    a = a * 2 + 197
    a = a * 3 + 198
    a = a * 4 + 199
    a = a * 5 + 200
    a = a * 6 + 201
    a = a * 7 + 202
    a = a * 1 + 203
    a = a * 2 + 204
    a = a * 3 + 205
    a = a * 4 + 206
    a = a * 5 + 207
    a = a * 6 + 208
    a = a * 7 + 209
    a = a * 1 + 210
    a = a * 2 + 211
    a = a * 3 + 212
    a = a * 4 + 213
    a = a * 5 + 214
    a = a * 6 + 215
    a = a * 7 + 216
    a = a * 1 + 217
    a = a * 2 + 218
    a = a * 3 + 219
    a = a * 4 + 220
    a = a * 5 + 221
    a = a * 6 + 222
    a = a * 7 + 223
    a = a * 1 + 224
    a = a * 2 + 225
    a = a * 3 + 226
    a = a * 4 + 227
    a = a * 5 + 228
    a = a * 6 + 229
    a = a * 7 + 230
    a = a * 1 + 231
    a = a * 2 + 232
    a = a * 3 + 233
    a = a * 4 + 234
    a = a * 5 + 235
    a = a * 6 + 236
    a = a * 7 + 237
    a = a * 1 + 238
    a = a * 2 + 239
    a = a * 3 + 240
    a = a * 4 + 241
    a = a * 5 + 242
    a = a * 6 + 243
    a = a * 7 + 244
    a = a * 1 + 245
    a = a * 2 + 246
    a = a * 3 + 247
    a = a * 4 + 248
    a = a * 5 + 249
    a = a * 6 + 250
    a = a * 7 + 251
    a = a * 1 + 252
    a = a * 2 + 253
    a = a * 3 + 254
    a = a * 4 + 255
    a = a * 5 + 256
    a = a * 6 + 257
    a = a * 7 + 258
    a = a * 1 + 259
    a = a * 2 + 260
    a = a * 3 + 261
    a = a * 4 + 262
    a = a * 5 + 263
    a = a * 6 + 264
    a = a * 7 + 265
    a = a * 1 + 266
    a = a * 2 + 267
    a = a * 3 + 268
    a = a * 4 + 269
    a = a * 5 + 270
    a = a * 6 + 271
    a = a * 7 + 272
    a = a * 1 + 273
    a = a * 2 + 274
    a = a * 3 + 275
    a = a * 4 + 276
    a = a * 5 + 277
    a = a * 6 + 278
    a = a * 7 + 279
    a = a * 1 + 280
    a = a * 2 + 281
    a = a * 3 + 282
    a = a * 4 + 283
    a = a * 5 + 284
    a = a * 6 + 285
    a = a * 7 + 286
    a = a * 1 + 287
    a = a * 2 + 288
    a = a * 3 + 289
    a = a * 4 + 290
    a = a * 5 + 291
    a = a * 6 + 292
    a = a * 7 + 293
    a = a * 1 + 294
    a = a * 2 + 295
    a = a * 3 + 296
    a = a * 4 + 297
    a = a * 5 + 298
    a = a * 6 + 299
    a = a * 7 + 300
    a = a * 1 + 301
    a = a * 2 + 302
    a = a * 3 + 303
    a = a * 4 + 304
    a = a * 5 + 305
    a = a * 6 + 306
    a = a * 7 + 307
    a = a * 1 + 308
    a = a * 2 + 309
    a = a * 3 + 310
    a = a * 4 + 311
    a = a * 5 + 312
    a = a * 6 + 313
    a = a * 7 + 314
    a = a * 1 + 315
    a = a * 2 + 316
    a = a * 3 + 317
    a = a * 4 + 318
    a = a * 5 + 319
    return a


MODULE_LEVEL = [simple, loops, exceptions, withs, comprehensions, lambdas,
                generator, async_things, Shape, grüße_λ, sparse,
                long_function, many_statements]
if __name__ == "__main__":
    raise SystemExit("corpus source: compile only")
