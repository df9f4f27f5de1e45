"""Counting queries across every database: a budget is the total, whichever alias runs them."""

from contextlib import ExitStack, contextmanager

from django.db import connections
from django.test.testcases import DatabaseOperationForbidden
from django.test.utils import CaptureQueriesContext


def _is_savepoint(sql: str) -> bool:
    # Savepoints come from the test's own wrapping transaction; in autocommit the page sends none.
    return sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


class QueryCount:
    def __init__(self):
        self.by_alias: dict[str, CaptureQueriesContext] = {}

    def statements(self) -> list[tuple[str, str]]:
        return [
            (alias, q["sql"])
            for alias, captured in self.by_alias.items()
            for q in captured.captured_queries
            if not _is_savepoint(q["sql"])
        ]

    def __len__(self) -> int:
        return len(self.statements())

    def __repr__(self) -> str:
        return f"{len(self)} queries:\n" + "\n".join(f"{alias}: {sql}" for alias, sql in self.statements())


@contextmanager
def count_queries():
    count = QueryCount()
    with ExitStack() as stack:
        for alias in connections:
            try:
                connections[alias].ensure_connection()
            except DatabaseOperationForbidden:
                continue  # a database the test may not use runs none of its queries
            count.by_alias[alias] = stack.enter_context(CaptureQueriesContext(connections[alias]))
        yield count
