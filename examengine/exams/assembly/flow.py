"""Draw rules as a flow network: the exact check behind `feasibility` and assembly's fallback when greed fails.

source -> rule (capacity: its count) -> item (1) -> enemy component (1) -> sink. An enemy component is the union of
enemy groups that share an item: one slot per component is exact when each item is in at most one group, and
conservative (it may refuse a fillable blueprint, never accept an unfillable one) when an item bridges two groups.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from examengine.exams.assembly.model import PoolItem


@dataclass(frozen=True)
class RuleDemand:
    """A draw rule's count and its eligible items: distinct, none on the form already or an enemy of one there."""

    section: int
    rule: int
    count: int
    items: tuple[PoolItem, ...]


def open_items(items: Iterable[PoolItem], taken_ids: set[str], taken_groups: set[str]) -> tuple[PoolItem, ...]:
    kept: dict[str, PoolItem] = {}
    for item in items:
        if item.item_id not in taken_ids and item.item_id not in kept and taken_groups.isdisjoint(item.enemy_groups):
            kept[item.item_id] = item
    return tuple(kept.values())


def enemy_components(items: Iterable[PoolItem]) -> dict[str, int]:
    """Item id -> its enemy component, numbered in order of first appearance; ungrouped items are left out."""
    parent: dict[str, str] = {}

    def root(group: str) -> str:
        while parent[group] != group:
            parent[group] = parent[parent[group]]
            group = parent[group]
        return group

    grouped = [item for item in items if item.enemy_groups]
    for item in grouped:
        for group in item.enemy_groups:
            parent.setdefault(group, group)
        first = root(item.enemy_groups[0])
        for group in item.enemy_groups[1:]:
            parent[root(group)] = first
    numbers: dict[str, int] = {}
    return {item.item_id: numbers.setdefault(root(item.enemy_groups[0]), len(numbers)) for item in grouped}


def capacity_alone(items: Sequence[PoolItem]) -> int:
    """How many slots these items can fill on one form by themselves: one per enemy component, one per other item."""
    components = enemy_components(items)
    return len(items) - len(components) + len(set(components.values()))


class FlowNetwork:
    """A residual network; edge e's reverse is e ^ 1. Capacities on item paths are 1, so each augmentation adds 1."""

    def __init__(self, nodes: int) -> None:
        self.edges_of: list[list[int]] = [[] for _ in range(nodes)]
        self.head: list[int] = []
        self.capacity: list[int] = []
        self.cost: list[int] = []

    def add_edge(self, tail: int, head: int, capacity: int, cost: int = 0) -> int:
        edge = len(self.head)
        self.head += [head, tail]
        self.capacity += [capacity, 0]
        self.cost += [cost, -cost]
        self.edges_of[tail].append(edge)
        self.edges_of[head].append(edge + 1)
        return edge

    def push(self, edge: int) -> None:
        self.capacity[edge] -= 1
        self.capacity[edge ^ 1] += 1

    def flow(self, edge: int) -> int:
        return self.capacity[edge ^ 1]

    def _push_path(self, source: int, sink: int, via: list[int]) -> None:
        node = sink
        while node != source:
            edge = via[node]
            self.push(edge)
            node = self.head[edge ^ 1]

    def augment(self, source: int, sink: int) -> bool:
        """Push one unit along a shortest residual path (breadth first); False when none is left."""
        via = [-1] * len(self.edges_of)
        via[source] = -2
        frontier = [source]
        while frontier and via[sink] == -1:
            following = []
            for node in frontier:
                for edge in self.edges_of[node]:
                    head = self.head[edge]
                    if self.capacity[edge] > 0 and via[head] == -1:
                        via[head] = edge
                        following.append(head)
            frontier = following
        if via[sink] == -1:
            return False
        self._push_path(source, sink, via)
        return True

    def augment_cheapest(self, source: int, sink: int, potential: list[int]) -> bool:
        """Push one unit along a cheapest residual path (Dijkstra on costs reduced by `potential`, kept up to date)."""
        unreached = 1 << 62
        distance = [unreached] * len(self.edges_of)
        via = [-1] * len(self.edges_of)
        distance[source] = 0
        queue = [(0, source)]
        while queue:
            dist, node = heapq.heappop(queue)
            if dist > distance[node]:
                continue
            for edge in self.edges_of[node]:
                head = self.head[edge]
                if self.capacity[edge] <= 0:
                    continue
                through = dist + self.cost[edge] + potential[node] - potential[head]
                if through < distance[head]:
                    distance[head] = through
                    via[head] = edge
                    heapq.heappush(queue, (through, head))
        if distance[sink] == unreached:
            return False
        # Nodes unreached now can never be reached again (augmenting only adds edges among reached nodes).
        for node, dist in enumerate(distance):
            if dist != unreached:
                potential[node] += dist
        self._push_path(source, sink, via)
        return True

    def reachable(self, source: int) -> list[bool]:
        seen = [False] * len(self.edges_of)
        seen[source] = True
        stack = [source]
        while stack:
            node = stack.pop()
            for edge in self.edges_of[node]:
                if self.capacity[edge] > 0 and not seen[self.head[edge]]:
                    seen[self.head[edge]] = True
                    stack.append(self.head[edge])
        return seen


class DrawNetwork:
    SOURCE, SINK = 0, 1

    def __init__(self, demands: Sequence[RuleDemand], item_cost: Callable[[PoolItem], int]) -> None:
        items: dict[str, PoolItem] = {}
        for demand in demands:
            for item in demand.items:
                items.setdefault(item.item_id, item)
        component_of = enemy_components(items.values())
        item_node = {item_id: 2 + len(demands) + n for n, item_id in enumerate(items)}
        first_component = 2 + len(demands) + len(items)
        components = len(set(component_of.values()))
        self.demands = demands
        self.network = FlowNetwork(first_component + components)
        self.supply = [self.network.add_edge(self.SOURCE, 2 + r, d.count) for r, d in enumerate(demands)]
        self.exit = {
            item_id: self.network.add_edge(
                node,
                first_component + component_of[item_id] if item_id in component_of else self.SINK,
                1,
                item_cost(items[item_id]),
            )
            for item_id, node in item_node.items()
        }
        self.component_exit = {
            number: self.network.add_edge(first_component + number, self.SINK, 1) for number in range(components)
        }
        self.component_of = component_of
        self.choices = [
            [(self.network.add_edge(2 + r, item_node[item.item_id], 1), item) for item in d.items]
            for r, d in enumerate(demands)
        ]

    def fill_greedily(self) -> None:
        network = self.network
        for supply, choices in zip(self.supply, self.choices, strict=True):
            for edge, item in choices:
                if network.capacity[supply] == 0:
                    break
                component = self.component_of.get(item.item_id)
                if network.flow(self.exit[item.item_id]) or (
                    component is not None and network.flow(self.component_exit[component])
                ):
                    continue
                for step in (supply, edge, self.exit[item.item_id]):
                    network.push(step)
                if component is not None:
                    network.push(self.component_exit[component])

    def chosen(self) -> list[list[PoolItem]]:
        return [[item for edge, item in choices if self.network.flow(edge)] for choices in self.choices]


def max_fill(demands: Sequence[RuleDemand]) -> tuple[list[int], list[int]]:
    """Slots filled per rule in a fullest joint fill, and the rules competing for what is missing: those reachable
    from the source in the residual network, for which Hall's condition fails together (empty when nothing is)."""
    draw = DrawNetwork(demands, lambda item: 0)
    draw.fill_greedily()
    while draw.network.augment(draw.SOURCE, draw.SINK):
        pass
    seen = draw.network.reachable(draw.SOURCE)
    return [draw.network.flow(edge) for edge in draw.supply], [r for r in range(len(demands)) if seen[2 + r]]


def cheapest_fill(demands: Sequence[RuleDemand], item_cost: Callable[[PoolItem], int]) -> list[list[PoolItem]] | None:
    """Fill every rule at the least total item cost (successive cheapest paths), or None if the rules cannot be filled.

    Ties go by the order of each demand's items, so the caller randomises that order.
    """
    draw = DrawNetwork(demands, item_cost)
    potential = [0] * len(draw.network.edges_of)
    for _ in range(sum(d.count for d in demands)):
        if not draw.network.augment_cheapest(draw.SOURCE, draw.SINK, potential):
            return None
    return draw.chosen()
