"""Folding groups of nodes (e.g. everything created inside module ``fc1``) into one node each."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Group:
    """The node that stands for a collapsed group in a ``Collapsed`` graph."""

    id: Hashable


@dataclass(frozen=True)
class Collapsed:
    nodes: list[Hashable]  # original ids, and ``Group`` for each collapsed group, in input order
    edges: list[tuple[Hashable, Hashable]]  # merged: no duplicates, none inside a group
    members: dict[Group, list[Hashable]] = field(default_factory=dict)
    visible: dict[Hashable, Hashable] = field(default_factory=dict)  # original id -> shown node


def collapse(
    nodes: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable]],
    groups: Mapping[Hashable, Hashable],
    collapsed: Iterable[Hashable] | None = None,
) -> Collapsed:
    """Fold each group (``groups``: node id -> group id) into one ``Group`` node.

    ``collapsed`` names the groups to fold (default: all); the others stay expanded. A group node
    takes the place of its first member in the node order.
    """
    fold = None if collapsed is None else set(collapsed)
    visible: dict[Hashable, Hashable] = {}
    members: dict[Group, list[Hashable]] = {}
    order: list[Hashable] = []
    for n in nodes:
        g = groups.get(n)
        if g is not None and (fold is None or g in fold):
            key = Group(g)
            if key not in members:
                members[key] = []
                order.append(key)
            members[key].append(n)
            visible[n] = key
        else:
            visible[n] = n
            order.append(n)
    merged: list[tuple[Hashable, Hashable]] = []
    seen: set[tuple[Hashable, Hashable]] = set()
    for s, t in edges:
        e = (visible[s], visible[t])
        if e[0] != e[1] and e not in seen:
            seen.add(e)
            merged.append(e)
    return Collapsed(nodes=order, edges=merged, members=members, visible=visible)
