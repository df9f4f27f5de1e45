"""A marketplace that cannot be reached: every call raises `Unavailable`, as a timed-out transport would."""

from integration import contracts


class UnreachableMarketplace:
    def __getattr__(self, name):
        def unreachable(*args, **kwargs):
            raise contracts.Unavailable("The marketplace is not answering.")

        return unreachable


class BrokenMarketplace:
    """A marketplace with a bug: every call fails in a way nobody planned for."""

    def __getattr__(self, name):
        def broken(*args, **kwargs):
            raise RuntimeError("unexpected")

        return broken
