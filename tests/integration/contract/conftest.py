from tests.marketplace.conftest import _couriers  # noqa: F401  (the same couriers for the contract tests)
