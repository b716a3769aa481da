"""The idea pools are encoded once per test session: the models load once, not per test."""

import pytest

from buendnis.ideas.similarity import encode_many

from .quality import Pool, load


@pytest.fixture(scope="session")
def labelled() -> Pool:
    return load("labelled")


@pytest.fixture(scope="session")
def heldout() -> Pool:
    return load("heldout")


@pytest.fixture(scope="session")
def labelled_encodings(labelled: Pool) -> list[bytes]:
    return encode_many(labelled.docs())


@pytest.fixture(scope="session")
def heldout_encodings(heldout: Pool) -> list[bytes]:
    return encode_many(heldout.docs())
