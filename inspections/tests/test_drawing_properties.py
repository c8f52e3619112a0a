"""Properties of the 双随机 draw (inspections/drawing.py) that a fair draw owes everyone.

Each property is checked against an independent oracle written here from the specification
(the module docstring), not by calling the code under test twice.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from inspections import drawing
from inspections.tests.drawing_data import datasets, large_dataset, seed_of, seeds

PROPERTY = settings(max_examples=150, deadline=None)


def expected_drawn(size: int, ratio: str) -> int:
    """ceil(ratio × size), at most size, with Decimal (not the Fraction the code uses)."""
    return min(size, int((Decimal(ratio) * size).to_integral_value(rounding="ROUND_CEILING")))


def strata_of(data):
    sizes = Counter((c["class"], c["grade"]) for c in data["candidates"])
    ratios = {(r["class"], r["grade"]): r["ratio"] for r in data["ratios"]}
    return sizes, ratios


@PROPERTY
@given(datasets(), seeds)
def test_the_same_data_and_seed_give_the_same_draw(data, seed):
    first = drawing.draw(data, seed)
    assert drawing.draw(copy.deepcopy(data), seed) == first
    # The upper-case spelling of the same seed is the same seed.
    assert drawing.draw(data, seed.upper()) == first


@PROPERTY
@given(datasets(), seeds, st.randoms(use_true_random=False))
def test_the_order_of_the_published_rows_does_not_change_the_draw(data, seed, rnd):
    shuffled = copy.deepcopy(data)
    for key in ("candidates", "ratios", "inspectors", "exclusions", "previous_pairs"):
        rnd.shuffle(shuffled[key])
    first, second = drawing.draw(data, seed), drawing.draw(shuffled, seed)
    for key in ("selected", "unassigned", "strata"):
        assert first[key] == second[key]


@settings(max_examples=50, deadline=None)
@given(seeds, seeds)
def test_different_seeds_give_different_draws(one, other):
    # 100 of 1,000 units: C(1000, 100) outcomes, a collision is never seen.
    data = large_dataset()
    if one != other:
        assert drawing.draw(data, one)["selected"] != drawing.draw(data, other)["selected"]


@PROPERTY
@given(datasets(), seeds)
def test_each_stratum_draws_the_ceiling_of_its_ratio(data, seed):
    result = drawing.draw(data, seed)
    sizes, ratios = strata_of(data)
    stratum = {c["id"]: (c["class"], c["grade"]) for c in data["candidates"]}
    drawn = Counter(stratum[row["candidate"]] for row in result["selected"] + result["unassigned"])
    assert [(s["class"], s["grade"]) for s in result["strata"]] == sorted(set(sizes) | set(ratios))
    for row in result["strata"]:
        key = (row["class"], row["grade"])
        assert row["size"] == sizes.get(key, 0)
        assert row["ratio"] == ratios.get(key, "0")
        assert row["drawn"] == expected_drawn(row["size"], row["ratio"]) == drawn.get(key, 0)
    # Every drawn unit appears exactly once, assigned or reported.
    ids = [row["candidate"] for row in result["selected"] + result["unassigned"]]
    assert len(ids) == len(set(ids))
    assert [r["candidate"] for r in result["selected"]] == sorted(
        r["candidate"] for r in result["selected"]
    )


@PROPERTY
@given(datasets(), seeds)
def test_two_different_officers_of_the_brigade_not_excluded_not_the_previous_pair(data, seed):
    result = drawing.draw(data, seed)
    brigade = {c["id"]: c["brigade"] for c in data["candidates"]}
    officer_brigade = {i["id"]: i["brigade"] for i in data["inspectors"]}
    excluded = {(e["inspector"], e["candidate"]) for e in data["exclusions"]}
    previous = {p["candidate"]: set(p["inspectors"]) for p in data["previous_pairs"]}
    for row in result["selected"]:
        unit, (a, b) = row["candidate"], row["inspectors"]
        assert a != b
        assert officer_brigade[a] == officer_brigade[b] == brigade[unit]
        assert (a, unit) not in excluded
        assert (b, unit) not in excluded
        assert {a, b} != previous.get(unit)


@PROPERTY
@given(datasets(), seeds)
def test_a_unit_without_a_valid_pair_is_reported_with_its_reason(data, seed):
    result = drawing.draw(data, seed)
    brigade = {c["id"]: c["brigade"] for c in data["candidates"]}
    excluded = {(e["inspector"], e["candidate"]) for e in data["exclusions"]}
    previous = {p["candidate"]: set(p["inspectors"]) for p in data["previous_pairs"]}

    def eligible(unit):
        return {
            i["id"]
            for i in data["inspectors"]
            if i["brigade"] == brigade[unit] and (i["id"], unit) not in excluded
        }

    for row in result["unassigned"]:
        unit = row["candidate"]
        pool = eligible(unit)
        assert row["brigade"] == brigade[unit]
        assert row["eligible"] == len(pool)
        if len(pool) < 2:
            assert row["reason"] == "fewer_than_two_eligible"
        else:
            assert row["reason"] == "only_previous_pair"
            assert pool == previous[unit]
    for row in result["selected"]:
        pool = eligible(row["candidate"])
        assert len(pool) >= 2
        assert pool != previous.get(row["candidate"])


@PROPERTY
@given(datasets(), seeds)
def test_each_pair_has_the_least_total_load_of_the_valid_pairs(data, seed):
    """Guarantee (b): replay the assignment and compare with a brute force over all pairs."""
    result = drawing.draw(data, seed)
    brigade = {c["id"]: c["brigade"] for c in data["candidates"]}
    officers = defaultdict(list)
    for i in data["inspectors"]:
        officers[i["brigade"]].append(i["id"])
    excluded = {(e["inspector"], e["candidate"]) for e in data["exclusions"]}
    previous = {p["candidate"]: set(p["inspectors"]) for p in data["previous_pairs"]}
    load = Counter()
    for row in result["selected"]:
        unit = row["candidate"]
        valid = [
            pair
            for pair in combinations(officers[brigade[unit]], 2)
            if not {(pair[0], unit), (pair[1], unit)} & excluded and set(pair) != previous.get(unit)
        ]
        best = min(load[a] + load[b] for a, b in valid)
        a, b = row["inspectors"]
        assert load[a] + load[b] == best
        load[a] += 1
        load[b] += 1


@PROPERTY
@given(datasets(constrained=False), seeds)
def test_without_conflicts_loads_within_a_brigade_differ_by_at_most_one(data, seed):
    """Guarantee (c), counted over every officer of the brigade (those never drawn included)."""
    result = drawing.draw(data, seed)
    load = Counter(i for row in result["selected"] for i in row["inspectors"])
    brigades = defaultdict(list)
    for i in data["inspectors"]:
        brigades[i["brigade"]].append(load[i["id"]])
    for loads in brigades.values():
        if len(loads) >= 2:
            assert max(loads) - min(loads) <= 1


def test_loads_stay_balanced_at_scale_with_a_few_conflicts():
    data = large_dataset(n=3_000, officers=20)  # 300 units, 600 assignments, 30 each
    rnd = random.Random(7)
    officer_ids = [i["id"] for i in data["inspectors"]]
    data["exclusions"] = [
        {"inspector": rnd.choice(officer_ids), "candidate": rnd.randint(1, 3_000)}
        for _ in range(100)
    ]
    data["previous_pairs"] = [
        {"candidate": c, "inspectors": rnd.sample(officer_ids, 2)} for c in range(1, 3_001, 2)
    ]
    result = drawing.draw(data, seed_of("balance"))
    load = Counter(i for row in result["selected"] for i in row["inspectors"])
    assert not result["unassigned"]
    assert max(load[i] for i in officer_ids) - min(load[i] for i in officer_ids) <= 1


# --- uniformity -------------------------------------------------------------------------------
#
# Chi-square goodness of fit with fixed seeds (seed_of(f"chi {n}")), so the test is reproducible
# and never flaky. The critical values are the 0.999 quantiles of the chi-square distribution
# (tables, e.g. NIST/SEMATECH e-Handbook §1.3.6.7.4): df 19 → 43.820, df 29 → 58.301. The test
# below checks them against the Wilson–Hilferty approximation, so a typo cannot hide a failure.
CHI2_999 = {19: 43.820, 29: 58.301}
Z_999 = 3.0902


def wilson_hilferty(df: int) -> float:
    return df * (1 - 2 / (9 * df) + Z_999 * math.sqrt(2 / (9 * df))) ** 3


def test_the_critical_values_are_the_chi_square_quantiles():
    for df, value in CHI2_999.items():
        assert abs(wilson_hilferty(df) - value) / value < 0.01


def test_every_unit_of_a_stratum_is_drawn_equally_often():
    """20 units, ratio 0.25 (5 drawn), 2,000 seeds: each unit expected 500 times.

    Drawing k of n without replacement correlates the counts: the covariance of the vector of
    counts is N·p(1−p)·n/(n−1)·(I − J/n), so Pearson's statistic is divided by (1−p)·n/(n−1)
    to be chi-square with n − 1 = 19 degrees of freedom.
    """
    n, runs = 20, 2_000
    data = large_dataset(n=n, officers=4)
    data["ratios"][0]["ratio"] = "0.25"
    counts = Counter()
    for run in range(runs):
        result = drawing.draw(data, seed_of(f"chi {run}"))
        counts.update(row["candidate"] for row in result["selected"])
    p = 5 / n
    expected = runs * p
    pearson = sum((counts[c] - expected) ** 2 / expected for c in range(1, n + 1))
    statistic = pearson / ((1 - p) * n / (n - 1))
    assert sum(counts.values()) == runs * 5
    assert statistic < CHI2_999[n - 1], (statistic, counts)


def test_every_ordered_pair_of_officers_is_equally_likely():
    """One unit, six officers of equal load: each of the 30 ordered pairs 1/30 (df 29)."""
    data = large_dataset(n=1, officers=6)
    data["ratios"][0]["ratio"] = "1"
    runs = 3_000
    counts = Counter(
        tuple(drawing.draw(data, seed_of(f"pair {run}"))["selected"][0]["inspectors"])
        for run in range(runs)
    )
    assert len(counts) == 30
    expected = runs / 30
    statistic = sum((o - expected) ** 2 / expected for o in counts.values())
    assert statistic < CHI2_999[29], (statistic, counts)


def test_the_random_stream_is_the_documented_hmac_construction():
    """An implementation in another language follows the docstring: check it byte for byte."""
    import hmac

    seed = seed_of("stream")
    stream = drawing.Stream(bytes.fromhex(seed), ["select", "crowded", "B"])
    label = b'["select","crowded","B"]'
    words = []
    for counter in range(2):
        block = hmac.new(
            bytes.fromhex(seed), label + b"\x00" + counter.to_bytes(8, "big"), hashlib.sha256
        ).digest()
        words += [int.from_bytes(block[i : i + 8], "big") for i in range(0, 32, 8)]
    assert [stream.word() for _ in range(8)] == words
