"""Counting queries across every database: a budget is the total, whichever alias runs them."""

from contextlib import ExitStack, contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext


class QueryCount:
    def __init__(self):
        self.by_alias: dict[str, CaptureQueriesContext] = {}

    def __len__(self) -> int:
        return sum(len(captured) for captured in self.by_alias.values())

    def __repr__(self) -> str:
        lines = [f"{alias}: {q['sql']}" for alias, c in self.by_alias.items() for q in c.captured_queries]
        return f"{len(self)} queries:\n" + "\n".join(lines)


@contextmanager
def count_queries():
    count = QueryCount()
    with ExitStack() as stack:
        for alias in connections:
            count.by_alias[alias] = stack.enter_context(CaptureQueriesContext(connections[alias]))
        yield count
