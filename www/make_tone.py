#!/usr/bin/env python3
"""Writes tone.wav: 2 s of a soft 440 Hz tone, 8 kHz mono 8-bit PCM (about 16 KB).

Run from this directory: python3 make_tone.py. Only the standard library is used.
"""
import math
import wave

RATE = 8000
SECONDS = 2
FADE = RATE // 10  # 100 ms fade in and out, so the tone doesn't click

frames = bytearray()
total = RATE * SECONDS
for i in range(total):
    envelope = min(1.0, i / FADE, (total - 1 - i) / FADE)
    sample = 0.12 * envelope * math.sin(2 * math.pi * 440 * i / RATE)
    frames.append(128 + int(round(127 * sample)))  # 8-bit PCM is unsigned

with wave.open("tone.wav", "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(1)
    out.setframerate(RATE)
    out.writeframes(bytes(frames))
