#!/usr/bin/env python3
"""Builds mit_kemar.bin from the MIT KEMAR (normal pinna) SOFA file.

Input: the JSON that libmysofa's `mysofa2json` prints for
/usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa (Debian packages libmysofa1
and libmysofa-utils):

    mysofa2json /usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa > kemar.json
    python3 make_kemar.py kemar.json mit_kemar.bin

Output layout (little endian), read by engine/src/node/panner.rs:
    b"KEMR", u32 positions, u32 taps, f32 sample_rate,
    positions x (f32 azimuth_deg, f32 elevation_deg)   SOFA convention:
        azimuth counter-clockwise from the front (90 = left),
    positions x 2 (left, right) x taps  i16 (sample * 32768)

The measured responses are 512 taps of 16-bit audio at 44.1 kHz; they are
kept to their first 256 taps (over 99.7 % of the energy) with a 16-tap
raised-cosine fade so the cut adds no click.
"""
import json
import math
import struct
import sys

TAPS = 256
FADE = 16

src, dst = sys.argv[1], sys.argv[2]
v = json.load(open(src))["Variables"]
m, r, n = v["Data.IR"]["Dimensions"]
assert r == 2 and n >= TAPS
ir = v["Data.IR"]["Values"]
pos = v["SourcePosition"]["Values"]
sr = v["Data.SamplingRate"]["Values"][0]
# Receiver 0 sits at +y (left) in SOFA coordinates.
assert v["ReceiverPosition"]["Values"][1] > 0

out = bytearray(b"KEMR")
out += struct.pack("<IIf", m, TAPS, sr)
for i in range(m):
    out += struct.pack("<ff", pos[3 * i], pos[3 * i + 1])
for i in range(m):
    for ear in range(2):
        h = ir[(i * 2 + ear) * n:(i * 2 + ear) * n + TAPS]
        for k, x in enumerate(h):
            if k >= TAPS - FADE:
                t = (k - (TAPS - FADE) + 1) / FADE
                x *= 0.5 * (1 + math.cos(math.pi * t))
            out += struct.pack("<h", max(-32768, min(32767, round(x * 32768))))
open(dst, "wb").write(out)
