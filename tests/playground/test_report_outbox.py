"""The outbox that hands step reports from the training thread to the UI thread."""

import threading

from playground.report_outbox import Outbox


def test_every_item_is_taken_once_and_in_order_while_another_thread_puts():
    box = Outbox(generation=3)
    n = 200_000
    started = threading.Event()

    def produce():
        started.set()
        for i in range(n):
            box.put(i)

    producer = threading.Thread(target=produce)
    producer.start()
    started.wait()
    taken: list[int] = []
    while producer.is_alive() or len(box):
        taken.extend(box.take())
    producer.join()
    taken.extend(box.take())
    assert taken == list(range(n))
    assert box.generation == 3 and box.take() == []


def test_take_upto_a_step_leaves_the_later_reports():
    class Report:
        def __init__(self, step):
            self.step = step

    box = Outbox()
    for s in range(1, 8):
        box.put(Report(s))
    assert [r.step for r in box.take(upto=0)] == []
    assert [r.step for r in box.take(upto=3)] == [1, 2, 3]
    assert [r.step for r in box.take()] == [4, 5, 6, 7]
