"""Random number generators: one seeded NumPy PCG64 stream per ``Generator``.

Values need not equal PyTorch's generator; they are reproducible for a seed, on every device
(numbers are drawn on the CPU and moved).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    def __init__(self, device: Any = "cpu") -> None:
        self.device = device
        self._seed = 67280421310721
        self._np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._np = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Any:
        from core._creation import tensor

        state = self._np.bit_generator.state
        words = [
            state["state"]["state"],
            state["state"]["inc"],
            state["has_uint32"],
            state["uinteger"],
        ]
        return tensor(
            np.frombuffer(b"".join(int(w).to_bytes(16, "little") for w in words), dtype=np.uint8)
        )

    def set_state(self, new_state: Any) -> Generator:
        raw = bytes(
            np.asarray(
                new_state.numpy() if hasattr(new_state, "numpy") else new_state, dtype=np.uint8
            )
        )
        words = [int.from_bytes(raw[i : i + 16], "little") for i in range(0, 64, 16)]
        self._np.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": words[0], "inc": words[1]},
            "has_uint32": words[2],
            "uinteger": words[3],
        }
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(state: Any) -> None:
    default_generator.set_state(state)
