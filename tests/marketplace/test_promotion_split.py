"""The split of a checkout-level discount over its orders: pure arithmetic, checked by hand and by property."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace import pricing


def test_rp_20000_over_three_subtotals_by_hand():
    # 20.000 x 100/175 = 11.428,57; x 50/175 = 5.714,29; x 25/175 = 2.857,14: floors sum to 19.999,
    # and the one rupiah left goes to the largest remainder (the first order's ,57)
    assert pricing.split_pro_rata(20_000, [100_000, 50_000, 25_000], [100_000, 50_000, 25_000]) == [
        11_429,
        5_714,
        2_857,
    ]


def test_a_tie_of_remainders_goes_to_the_lower_position():
    # 10 over three equal orders: 3,33 each; the one rupiah left goes to the first
    assert pricing.split_pro_rata(10, [5, 5, 5], [5, 5, 5]) == [4, 3, 3]
    assert pricing.split_pro_rata(2, [7, 7, 7], [7, 7, 7]) == [1, 1, 0]


def test_an_order_without_room_for_its_quota_gets_its_room_and_the_rest_is_shared_again():
    # 15.000 by 100:50 would be 10.000 and 5.000; the first can take only 4.000, so the second takes 11.000
    assert pricing.split_pro_rata(15_000, [100_000, 50_000], [4_000, 50_000]) == [4_000, 11_000]


def test_more_than_the_rooms_hold_is_capped_at_the_rooms():
    assert pricing.split_pro_rata(1_000, [10, 20], [100, 200]) == [100, 200]


def test_an_order_out_of_reach_gets_nothing():
    assert pricing.split_pro_rata(9, [0, 3, 6], [0, 3, 6]) == [0, 3, 6]
    assert pricing.split_pro_rata(6, [1, 3, 0], [1, 3, 0]) == [1, 3, 0]


def test_co_funding_rounds_the_shops_part_down():
    assert pricing.funded_shares(13_333, 3000) == (9_334, 3_999)
    assert pricing.funded_shares(6_667, 3000) == (4_667, 2_000)
    assert pricing.funded_shares(500, 0) == (500, 0)


orders = st.lists(
    st.tuples(st.integers(1, 5_000_000), st.integers(0, 5_000_000)),  # (subtotal, room)
    min_size=1,
    max_size=8,
).map(lambda pairs: ([s for s, _ in pairs], [min(s, r) for s, r in pairs]))


@given(orders=orders, total=st.integers(0, 20_000_000))
def test_the_shares_sum_to_the_total_fit_their_rooms_and_follow_the_subtotals(orders, total):
    weights, rooms = orders
    shares = pricing.split_pro_rata(total, weights, rooms)

    assert sum(shares) == min(total, sum(rooms))
    assert all(0 <= share <= room for share, room in zip(shares, rooms, strict=True))
    # Monotone: a larger subtotal with at least as much room never gets less; on equal
    # subtotals and rooms, the lower position never gets less
    for i in range(len(shares)):
        for j in range(len(shares)):
            larger = weights[i] > weights[j] or (weights[i] == weights[j] and i < j)
            if larger and rooms[i] >= rooms[j]:
                assert shares[i] >= shares[j], (i, j, shares)


@given(orders=orders, total=st.integers(0, 20_000_000))
def test_each_share_is_within_a_rupiah_of_its_exact_quota_when_no_room_binds(orders, total):
    weights, _rooms = orders
    shares = pricing.split_pro_rata(total, weights, weights)
    amount = min(total, sum(weights))
    for share, weight in zip(shares, weights, strict=True):
        assert share * sum(weights) - amount * weight < sum(weights)  # share < quota + 1
        assert amount * weight - share * sum(weights) < sum(weights)  # share > quota - 1


def test_a_weight_and_a_room_are_needed_for_every_order():
    with pytest.raises(ValueError) as refused:
        pricing.split_pro_rata(100, [1, 2], [1])

    assert str(refused.value) == "one weight and one room per order"


def test_nothing_or_less_than_nothing_splits_into_nothing():
    assert pricing.split_pro_rata(0, [1, 2], [5, 5]) == [0, 0]
    assert pricing.split_pro_rata(-7, [1, 2], [5, 5]) == [0, 0]


def test_orders_that_all_weigh_nothing_share_alike_and_a_weightless_one_among_others_gets_nothing():
    assert pricing.split_pro_rata(10, [0, 0, 0], [5, 5, 5]) == [4, 3, 3]
    assert pricing.split_pro_rata(4, [0, 5], [5, 5]) == [0, 4]
