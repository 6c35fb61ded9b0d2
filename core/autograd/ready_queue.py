"""The engine's ready queue: PyTorch's order among nodes ready at the same time."""

from __future__ import annotations


# The ready queue: PyTorch's is a std::priority_queue ordered by sequence number (the leaves'
# accumulators, all numbered alike, come first). These are libstdc++'s push_heap and pop_heap, so
# that nodes of equal number (several leaves ready at once) run in the very order PyTorch runs them.
def _push(heap: list, item: tuple) -> None:
    heap.append(item)
    hole, seq = len(heap) - 1, item[0]
    while hole > 0:
        parent = (hole - 1) >> 1
        above = heap[parent]
        if not above[0] < seq:
            break
        heap[hole] = above
        hole = parent
    heap[hole] = item


def _pop(heap: list) -> tuple:
    top = heap[0]
    last = heap.pop()
    n = len(heap)
    if n:
        hole = child = 0
        while child < (n - 1) // 2:
            child = 2 * (child + 1)
            if heap[child][0] < heap[child - 1][0]:
                child -= 1
            heap[hole] = heap[child]
            hole = child
        if not n & 1 and child == (n - 2) // 2:
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        seq = last[0]
        while hole > 0:
            parent = (hole - 1) >> 1
            if not heap[parent][0] < seq:
                break
            heap[hole] = heap[parent]
            hole = parent
        heap[hole] = last
    return top
