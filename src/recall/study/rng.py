"""Anki's random numbers for fuzz and load balancing, bit for bit.

Anki seeds a fresh generator per answer with ``card id + reps``
(``rslib/src/scheduler/answering/mod.rs``, ``get_fuzz_seed``) and draws one number from it:
the fuzz factor (``get_fuzz_factor``: ``StdRng::seed_from_u64(seed).random_range(0.0..1.0)``
as an ``f32``), the learning-step fuzz (``answering/learning.rs``,
``learning_ivl_with_fuzz``: a ``u32`` in ``secs..upper``) or the load balancer's weighted
choice of day (``states/load_balancer.rs``, ``select_weighted_interval``). Reproducing the
generator makes recall's fuzz equal to Anki's for the same seed, which is what lets a test
compare fuzzed intervals with real Anki rather than only their ranges.

The generator is rand 0.9's ``StdRng``: ChaCha with 12 rounds, keyed by ``seed_from_u64``
(32 bytes from a PCG32 stream), counter and stream at zero. Only the first block is ever
needed: each draw uses one or two 32-bit words.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
_CONSTANTS = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)  # "expand 32-byte k"


def _pcg32_seed(state: int) -> list[int]:
    """rand_core's ``seed_from_u64``: eight 32-bit key words from a PCG32 stream."""
    words = []
    for _ in range(8):
        state = (state * 6364136223846793005 + 11634580027462260723) & _MASK64
        xorshifted = (((state >> 18) ^ state) >> 27) & _MASK32
        rot = state >> 59
        words.append(((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & _MASK32)
    return words


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _MASK32


def _quarter(s: list[int], a: int, b: int, c: int, d: int) -> None:
    s[a] = (s[a] + s[b]) & _MASK32
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _MASK32
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & _MASK32
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _MASK32
    s[b] = _rotl(s[b] ^ s[c], 7)


def first_words(seed: int) -> list[int]:
    """The first sixteen 32-bit outputs of ``StdRng::seed_from_u64(seed)``."""
    initial = [*_CONSTANTS, *_pcg32_seed(seed & _MASK64), 0, 0, 0, 0]
    s = list(initial)
    for _ in range(6):  # 12 rounds: six double rounds
        _quarter(s, 0, 4, 8, 12)
        _quarter(s, 1, 5, 9, 13)
        _quarter(s, 2, 6, 10, 14)
        _quarter(s, 3, 7, 11, 15)
        _quarter(s, 0, 5, 10, 15)
        _quarter(s, 1, 6, 11, 12)
        _quarter(s, 2, 7, 8, 13)
        _quarter(s, 3, 4, 9, 14)
    return [(x + y) & _MASK32 for x, y in zip(s, initial, strict=True)]


def f32(x: float) -> float:
    """``x`` rounded to the nearest single-precision float (Anki computes fuzz in ``f32``)."""
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def unit_float(word: int) -> float:
    """rand's ``f32`` in ``[0, 1)`` from one word: its top 23 bits as the mantissa."""
    return (word >> 9) / 8388608.0


def fuzz_factor(seed: int) -> float:
    """Anki's fuzz factor for ``seed`` (``get_fuzz_factor``)."""
    return unit_float(first_words(seed)[0])


def u32_below(seed: int, low: int, high: int) -> int:
    """rand 0.9's ``random_range(low..high)`` for ``u32`` (widening multiply, one retry)."""
    if low >= high:
        return low
    words = first_words(seed)
    span = high - low
    product = words[0] * span
    result, lo = product >> 32, product & _MASK32
    if lo > ((1 << 32) - span):
        extra = (words[1] * span) >> 32
        result += 1 if lo + extra > _MASK32 else 0
    return low + result


def weighted_index(seed: int, weights: Sequence[float]) -> int:
    """rand 0.9's ``WeightedIndex`` over ``f32`` weights, sampled once with ``seed``."""
    cumulative, total = [], f32(weights[0])
    for w in weights[1:]:
        cumulative.append(total)
        total = f32(total + f32(w))
    chosen = f32(unit_float(first_words(seed)[0]) * total)
    return sum(1 for c in cumulative if c <= chosen)
