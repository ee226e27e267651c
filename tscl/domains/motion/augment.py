"""Random 3-D rotation of IMU axes: the watch may sit on the wrist at any orientation.

Um et al. 2017, "Data Augmentation of Wearable Sensor Data for Parkinson's
Disease Monitoring using Convolutional Neural Networks"
(https://arxiv.org/abs/1706.00527), section 3 (rotation).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource
from tscl.errors import ConfigError, DataError


def quaternion_to_matrix(q: Tensor) -> Tensor:
    """Unit quaternions (B, 4) as (w, x, y, z) -> rotation matrices (B, 3, 3)."""
    w, x, y, z = q.unbind(dim=-1)
    rows = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ]
    return torch.stack([torch.stack(row, dim=-1) for row in rows], dim=-2)


def random_rotations(count: int, random: RandomSource, device: torch.device) -> Tensor:
    """(count, 3, 3) rotations uniform on SO(3): normalised Gaussian quaternions (Shoemake 1992)."""
    q = random.normal((count, 4), device)
    q = q / q.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    return quaternion_to_matrix(q)


def _check_groups(groups: Sequence[Sequence[int]]) -> list[tuple[int, int, int]]:
    checked = []
    for group in groups:
        triplet = tuple(int(i) for i in group)
        if len(triplet) != 3 or len(set(triplet)) != 3 or min(triplet) < 0:
            raise ConfigError(
                f"Rotation3D.groups: expected triplets of 3 distinct channel indices >= 0, got {list(group)}"
            )
        checked.append(triplet)
    used = [i for t in checked for i in t]
    if not checked or len(set(used)) != len(used):
        raise ConfigError(
            f"Rotation3D.groups: need at least one triplet and no shared channel, got {used}"
        )
    return checked  # type: ignore[return-value]


class Rotation3D(nn.Module):
    """Rotates every xyz triplet of a sample by one random rotation. (B, C, T) -> (B, C, T).

    Each sample draws its own rotation, uniform on SO(3); all its triplets
    (accelerometer, gyroscope, gravity of one device) turn together, so their
    norms (magnitude channels) are unchanged. Channels in no triplet are
    copied. A NaN axis makes its triplet NaN at that time step (the rotated
    value is unknown there).

    Args:
        groups: channel index triplets (x, y, z), default accelerometer (0, 1, 2)
            and gyroscope (3, 4, 5).
        prob: probability that a sample is rotated.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self,
        groups: Sequence[Sequence[int]] = ((0, 1, 2), (3, 4, 5)),
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(prob, "Rotation3D.prob", 0.0, 1.0)
        self.groups, self.prob = _check_groups(groups), prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "Rotation3D")
        top = max(i for t in self.groups for i in t)
        if top >= x.shape[1]:
            raise DataError(
                "Rotation3D input",
                f"groups use channel {top} but the batch has {x.shape[1]} channels",
            )
        rotation = random_rotations(x.shape[0], self.random, x.device).to(
            x.dtype
        )  # (B, 3, 3)
        augmented = x.clone()
        for triplet in self.groups:
            index = list(triplet)
            # (B, 3, 3) @ (B, 3, T) -> (B, 3, T)
            augmented[:, index] = torch.bmm(rotation, x[:, index])
        return self.random.apply_per_sample(x, augmented, self.prob)


AUGMENTATIONS = {"rotation": Rotation3D}
