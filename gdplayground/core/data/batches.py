"""Batches exactly as torch's DataLoader draws them.

``DataLoader(data, batch_size=k, shuffle=True, drop_last=False,
generator=torch.Generator().manual_seed(seed))`` gives, epoch after epoch, a new
permutation of the n examples cut into consecutive slices of k, the last one
shorter.  Its generator is a Mersenne Twister (mt19937) seeded with the low 32
bits of the seed; every epoch then draws, in this order (torch 2.13,
torch/utils/data/dataloader.py and sampler.py, checked against torch itself):

1. one int64 (two 32-bit draws) when the epoch's iterator is made (its
   ``_base_seed``);
2. ``torch.randperm(n)``: a forward Fisher-Yates shuffle, swapping position i
   with ``i + r % (n - i)`` for a 32-bit draw r, i = 0 .. n-2;
3. a second ``randperm(n)`` once the epoch is used up (RandomSampler's code for
   the ``num_samples % n`` remainder, which is empty), whose order is never used.

The same permutation is reproduced here with numpy's mt19937 (same seeding,
same 32-bit stream).  Only the part of a permutation that is used is shuffled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

#: What a batch size may be besides a whole number: all examples, in order (batch GD).
FULL = "full"


def parse_batch_size(value: str | int, n: int | None = None) -> int | None:
    """``"full"`` -> None (every example, one step per epoch); a whole number k >= 1
    -> k (at most ``n`` when given).  Raises ValueError with a message to show."""
    text = str(value).strip().lower()
    if text == FULL:
        return None
    try:
        k = int(text)
    except ValueError:
        raise ValueError(
            f"batch_size must be 'full' or a whole number such as 32, not {value!r}"
        ) from None
    if k < 1 or (n is not None and k > n):
        upper = f" to {n} (the number of examples)" if n is not None else " or more"
        raise ValueError(f"batch_size={k} is out of range: write 'full' or 1{upper}")
    return k


def batch_size_text(batch_size: int | None) -> str:
    """The batch size as written: ``"full"`` or the number."""
    return FULL if batch_size is None else str(batch_size)


@dataclass(frozen=True, eq=False)
class Batches:
    """The example indices of the first ``steps`` batches: step k (1-based) uses
    ``indices[offsets[k-1]:offsets[k]]``.  Full batches are not stored."""

    n: int
    batch_size: int | None
    indices: Array  # int64, every batch one after the other
    offsets: Array  # (steps + 1,) int64

    @property
    def steps(self) -> int:
        return len(self.offsets) - 1

    def batch(self, step: int) -> Array:
        """The examples step ``step`` (1-based) uses: a read-only int64 array."""
        if self.batch_size is None:
            return self.indices
        return self.indices[self.offsets[step - 1] : self.offsets[step]]

    def sizes(self) -> Array:
        """How many examples each step uses."""
        return np.diff(self.offsets)


def draw_batches(n: int, batch_size: int | None, seed: int, steps: int) -> Batches:
    """The batches of ``steps`` steps on ``n`` examples; None is the full batch
    (every example in order, every step)."""
    if n < 1 or steps < 0:
        raise ValueError("draw_batches needs n >= 1 and steps >= 0")
    if batch_size is None:
        everything = np.arange(n, dtype=np.int64)
        everything.setflags(write=False)
        return Batches(n, None, everything, np.arange(steps + 1, dtype=np.int64) * n)
    k = min(batch_size, n)
    per_epoch = -(-n // k)
    epochs, rest = divmod(steps, per_epoch)
    stream = _TorchStream(seed)
    parts = []
    for epoch in range(epochs + (rest > 0)):
        used = n if epoch < epochs else min(n, rest * k)
        parts.append(stream.epoch(n, used))
    indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    indices.setflags(write=False)
    sizes = np.tile(np.diff(np.minimum(np.arange(per_epoch + 1) * k, n)), epochs + 1)[:steps]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return Batches(n, batch_size, indices, offsets)


class _TorchStream:
    """torch.Generator().manual_seed(seed)'s 32-bit draws, as a DataLoader uses them."""

    def __init__(self, seed: int) -> None:
        legacy = np.random.RandomState(seed & 0xFFFFFFFF)  # mt19937's init_genrand, as torch
        self._bits = np.random.MT19937()
        self._bits.state = legacy.get_state(legacy=False)

    def epoch(self, n: int, used: int) -> Array:
        """The first ``used`` entries of one epoch's permutation; the draws of the
        whole epoch are consumed."""
        self._bits.random_raw(2)  # the iterator's _base_seed
        draws = self._bits.random_raw(n - 1) if n > 1 else np.zeros(0, dtype=np.uint64)
        permutation = _shuffled_prefix(n, draws, used)
        if n > 1:
            self._bits.random_raw(n - 1)  # the sampler's second, empty randperm
        return permutation


def _shuffled_prefix(n: int, draws: Array, used: int) -> Array:
    """The first ``used`` entries of randperm(n) for these 32-bit ``draws``: the swap
    at step i fixes position i, so only ``min(used, n - 1)`` swaps are needed."""
    swaps = min(used, n - 1)
    i = np.arange(swaps, dtype=np.uint64)
    targets = (i + draws[:swaps] % (np.uint64(n) - i)).tolist()
    order = list(range(n))
    for a, z in enumerate(targets):
        order[a], order[z] = order[z], order[a]
    return np.array(order[:used], dtype=np.int64)
