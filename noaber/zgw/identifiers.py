"""The UUIDs of the Zaken API's objects, without storing them: each is one AES block holding
what the object is (kind, case, reference), encrypted under a key of the catalogue. So a UUID
names the same object on every request, differs per municipality, reveals neither the case
number nor how many cases there are, and is read back without a lookup table (a single block
under AES is a keyed permutation of 128 bits: every UUID decodes to exactly one block, and a
block Noaber did not make fails the check bytes)."""

import uuid
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from noaber.lib.crypto import blind_index

# Kinds of object, one byte each; the number is part of every UUID: never renumber.
KINDS = {"zaak": 1, "status": 2, "resultaat": 3, "rol": 4, "zaakobject": 5}
CHECK = b"NB"
MAX_CASE = 2**48 - 1
MAX_REF = 2**56 - 1


@lru_cache(maxsize=64)
def _cipher(catalogue_uuid: uuid.UUID) -> Cipher:
    # The blind-index key never rotates (pseudonyms and blind indexes depend on it), so the
    # UUIDs stay valid for as long as the catalogue exists.
    key = bytes.fromhex(blind_index(str(catalogue_uuid), "zgw-object-uuid"))[:16]
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305 - one block: a keyed permutation


class Encoder:
    """Many UUIDs of one catalogue (a page of a list): one AES context for all of them (ECB
    keeps no state between blocks, so each `update` is one independent block)."""

    def __init__(self, catalogue):
        self._encryptor = _cipher(catalogue.uuid).encryptor()

    def __call__(self, kind: str, case_id: int, ref: int = 0) -> uuid.UUID:
        if not (0 < case_id <= MAX_CASE and 0 <= ref <= MAX_REF):
            raise ValueError("case or reference out of range")
        block = bytes([KINDS[kind]]) + CHECK + case_id.to_bytes(6, "big") + ref.to_bytes(7, "big")
        return uuid.UUID(bytes=self._encryptor.update(block))


def encode(catalogue, kind: str, case_id: int, ref: int = 0) -> uuid.UUID:
    return Encoder(catalogue)(kind, case_id, ref)


def decode(catalogue, kind: str, value: uuid.UUID) -> tuple[int, int] | None:
    """(case id, reference) of a UUID this catalogue made for an object of `kind`; None for any
    other UUID (another kind, another municipality, made up)."""
    decryptor = _cipher(catalogue.uuid).decryptor()
    block = decryptor.update(value.bytes) + decryptor.finalize()
    if block[0] != KINDS[kind] or block[1:3] != CHECK:
        return None
    return int.from_bytes(block[3:9], "big"), int.from_bytes(block[9:16], "big")
