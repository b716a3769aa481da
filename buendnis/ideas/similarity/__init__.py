from ._engine import (
    ENCODING_VERSION,
    Corpus,
    Doc,
    Match,
    OutdatedEncoding,
    Weights,
    encode,
    encode_many,
    is_current,
)

__all__ = [
    "ENCODING_VERSION",
    "Corpus",
    "Doc",
    "Match",
    "OutdatedEncoding",
    "Weights",
    "encode",
    "encode_many",
    "is_current",
]
