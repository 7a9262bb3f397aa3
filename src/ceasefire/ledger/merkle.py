"""Merkle tree hashing, proofs and their verification, exactly as RFC 9162 section 2.1.

The tree is addressed by *perfect subtrees*: `(level, index)` is the root of the
`2**level` leaves starting at `index * 2**level`. A log stores those, and any
hash a proof needs is either one of them or (on the right edge of the tree) a
combination of at most log2(n) of them. `plan_*` functions list the stored
nodes a proof needs, so a store can fetch them in one query; `*_proof`
functions then compute the proof from a mapping of those nodes. Proofs for a
tree of n leaves read O(log n) nodes, whatever n is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping

Node = tuple[int, int]
"""(level, index) of a perfect subtree."""

NodeSource = Callable[[int, int], bytes]
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify, or the request for one is out of range."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(start: int, end: int, node: NodeSource) -> bytes:
    """MTH of leaves [start, end), from perfect subtree roots (start aligned as in RFC 9162)."""
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return node(level, start >> level)
    k = _split(size)
    return node_hash(subtree_root(start, start + k, node), subtree_root(start + k, end, node))


def root(size: int, node: NodeSource) -> bytes:
    return subtree_root(0, size, node)


def _inclusion(index: int, start: int, end: int, node: NodeSource) -> list[bytes]:
    if end - start == 1:
        return []
    k = _split(end - start)
    if index < start + k:
        return [*_inclusion(index, start, start + k, node), subtree_root(start + k, end, node)]
    return [*_inclusion(index, start + k, end, node), subtree_root(start, start + k, node)]


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 section 2.1.3.1."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    return _inclusion(index, 0, size, node)


def _consistency(m: int, start: int, end: int, whole: bool, node: NodeSource) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if whole else [subtree_root(start, end, node)]
    k = _split(n)
    if m <= k:
        return [*_consistency(m, start, start + k, whole, node), subtree_root(start + k, end, node)]
    return [*_consistency(m - k, start + k, end, False, node), subtree_root(start, start + k, node)]


def consistency_proof(old: int, new: int, node: NodeSource) -> list[bytes]:
    """PROOF(old, D[new]) of RFC 9162 section 2.1.4.1; empty when old is 0 or equals new."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    return _consistency(old, 0, new, True, node)


def _planned(compute: Callable[[NodeSource], object]) -> list[Node]:
    wanted: list[Node] = []

    def record(level: int, index: int) -> bytes:
        wanted.append((level, index))
        return EMPTY_ROOT

    compute(record)
    return sorted(set(wanted))


def plan_root(size: int) -> list[Node]:
    return _planned(lambda node: root(size, node))


def plan_inclusion(index: int, size: int) -> list[Node]:
    return _planned(lambda node: inclusion_proof(index, size, node))


def plan_consistency(old: int, new: int) -> list[Node]:
    return _planned(lambda node: [consistency_proof(old, new, node), root(old, node)])


def from_mapping(nodes: Mapping[Node, bytes]) -> NodeSource:
    def node(level: int, index: int) -> bytes:
        try:
            return nodes[(level, index)]
        except KeyError:
            raise ProofError(f"node {level}/{index} is not stored") from None

    return node


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Iterable[bytes], root_hash: bytes
) -> None:
    """Check that `leaf` (a leaf hash) is at `index` in the tree of `size` with `root_hash`.

    RFC 9162 section 2.1.3.2; raises `ProofError` if it does not verify.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    if r != root_hash:
        raise ProofError("the inclusion proof does not lead to the root hash")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Iterable[bytes]
) -> None:
    """Check that the tree of size `new` extends the tree of size `old`.

    RFC 9162 section 2.1.4.2, with its two trivial cases: an empty old tree and an
    unchanged tree both need an empty proof. Raises `ProofError` if it does not verify.
    """
    path = list(proof)
    if not 0 <= old <= new:
        raise ProofError(f"size {new} is smaller than size {old}")
    if old == 0 or old == new:
        if path:
            raise ProofError("the proof must be empty")
        if old == new and old_root != new_root:
            raise ProofError("the same size has two different root hashes")
        return
    if not path:
        raise ProofError("the consistency proof is empty")
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root hash")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root hash")


def parents(
    level: int, index: int, hashes: Callable[[int, int], bytes]
) -> list[tuple[Node, bytes]]:
    """The perfect subtrees completed by storing node (level, index): walk up while it is a
    right child, combining with its left sibling from `hashes`."""
    made: list[tuple[Node, bytes]] = []
    current = hashes(level, index)
    while index & 1:
        current = node_hash(hashes(level, index - 1), current)
        level, index = level + 1, index >> 1
        made.append(((level, index), current))
    return made


def frontier(size: int) -> list[Node]:
    """The perfect subtrees that make up a tree of `size` leaves, left to right."""
    nodes: list[Node] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


class CompactRange:
    """The root of a growing tree from its leaf hashes, keeping only O(log n) hashes."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def append(self, leaf: bytes) -> None:
        level, current = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            level, current = level + 1, node_hash(left, current)
        self._stack.append((level, current))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        current = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            current = node_hash(left, current)
        return current
