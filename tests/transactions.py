"""Whether a service's writes are one transaction of the database that holds them.

Inside a test's own wrapping transaction, a service's `transaction.atomic(using=alias)`
shows as one savepoint on that alias: every statement of the call then falls between
its SAVEPOINT and its RELEASE. A service that opened its transaction on another alias
would leave its statements outside, unguarded."""

from contextlib import contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext


@contextmanager
def one_transaction_on(alias: str):
    with CaptureQueriesContext(connections[alias]) as captured:
        yield
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    assert statements, f"nothing ran on {alias}"
    assert statements[0].startswith("SAVEPOINT"), f"the first statement on {alias} opens no transaction"
    assert statements[-1].startswith("RELEASE SAVEPOINT"), f"the last statement on {alias} ends no transaction"
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 1, f"more than one transaction on {alias}"
