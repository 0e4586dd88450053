"""Batches are drawn exactly as torch's DataLoader(shuffle=True) draws them."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.data.batches import (
    batch_size_text,
    draw_batches,
    parse_batch_size,
)

# Printed by torch 2.13.0: the batches of
#   DataLoader(TensorDataset(torch.arange(n)), batch_size=k, shuffle=True,
#              drop_last=False, generator=torch.Generator().manual_seed(seed))
# over as many epochs as the steps need (each epoch iterated to its end).
TORCH_BATCHES = {
    (10, 3, 0): [[3, 7, 5], [2, 0, 8], [1, 6, 9], [4], [1, 3, 2], [7, 5, 9], [0, 6, 4], [8],
                 [6, 8, 5]],
    (7, 2, 1): [[4, 3], [5, 0], [6, 1], [2], [6, 4], [1, 3], [2, 0], [5]],
    (5, 5, 123): [[2, 3, 1, 0, 4], [1, 2, 3, 4, 0], [0, 2, 3, 1, 4]],
    (6, 4, 2**32 + 1): [[0, 4, 5, 1], [2, 3], [1, 0, 4, 3], [2, 5], [4, 3, 1, 0], [2, 5]],
    (3, 1, 7): [[1], [0], [2], [1], [2], [0], [2]],
    (40, 16, 2024): [
        [24, 12, 7, 8, 14, 16, 33, 2, 9, 13, 31, 5, 18, 21, 27, 25],
        [15, 30, 4, 32, 26, 6, 11, 23, 35, 39, 1, 29, 17, 0, 10, 36],
        [38, 3, 19, 20, 22, 37, 34, 28],
        [24, 10, 23, 11, 22, 17, 6, 28, 21, 1, 2, 38, 29, 7, 39, 3],
        [16, 20, 35, 4, 15, 33, 34, 25, 36, 9, 5, 18, 37, 14, 26, 31],
        [0, 13, 30, 19, 8, 32, 27, 12],
        [0, 29, 39, 20, 7, 35, 6, 23, 19, 12, 26, 15, 31, 24, 30, 28],
    ],
}  # fmt: skip


@pytest.mark.parametrize(("n", "k", "seed"), list(TORCH_BATCHES))
def test_batches_are_torchs_epoch_after_epoch(n: int, k: int, seed: int) -> None:
    expected = TORCH_BATCHES[(n, k, seed)]
    batches = draw_batches(n, k, seed, len(expected))
    assert [batches.batch(step).tolist() for step in range(1, len(expected) + 1)] == expected


def test_fewer_steps_give_the_same_first_batches() -> None:
    # only the part of the last epoch that is used is shuffled: the prefix must not change
    expected = TORCH_BATCHES[(40, 16, 2024)]
    for steps in range(len(expected) + 1):
        batches = draw_batches(40, 16, 2024, steps)
        assert [batches.batch(s).tolist() for s in range(1, steps + 1)] == expected[:steps]


def test_every_epoch_is_a_permutation_cut_into_slices() -> None:
    n, k = 103, 10
    batches = draw_batches(n, k, 5, 33)  # three epochs of 11 batches (the last of 3)
    sizes = batches.sizes()
    assert sizes.tolist() == ([10] * 10 + [3]) * 3
    for epoch in range(3):
        seen = np.concatenate([batches.batch(11 * epoch + s) for s in range(1, 12)])
        assert sorted(seen.tolist()) == list(range(n))
    first, second = batches.batch(1), batches.batch(12)
    assert first.tolist() != second.tolist()  # a new order every epoch


def test_the_seed_uses_its_low_32_bits_as_torch_does() -> None:
    a, b = draw_batches(50, 7, 1, 20), draw_batches(50, 7, 2**32 + 1, 20)
    assert a.indices.tolist() == b.indices.tolist()
    assert draw_batches(50, 7, 2, 20).indices.tolist() != a.indices.tolist()


def test_full_batch_is_every_example_in_order_each_step() -> None:
    batches = draw_batches(6, None, 0, 4)
    for step in range(1, 5):
        assert batches.batch(step).tolist() == [0, 1, 2, 3, 4, 5]
    assert batches.sizes().tolist() == [6, 6, 6, 6]


def test_a_batch_larger_than_the_data_is_the_whole_shuffled_data() -> None:
    assert sorted(draw_batches(4, 10, 0, 1).batch(1).tolist()) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("value", "expected"), [("full", None), ("FULL", None), (" 32 ", 32), (1, 1), ("7", 7)]
)
def test_batch_sizes_as_written(value: str | int, expected: int | None) -> None:
    assert parse_batch_size(value, n=100) == expected
    assert batch_size_text(expected) == ("full" if expected is None else str(expected))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("0", "out of range"), ("-3", "out of range"), ("all", "'full' or a whole number"),
     ("2.5", "whole number"), ("101", "1 to 100")],
)  # fmt: skip
def test_bad_batch_sizes_say_what_to_write(value: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_batch_size(value, n=100)
