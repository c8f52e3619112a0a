"""The draw's published rules at their boundaries: canonical JSON and fingerprints, the seed and
its commitment, stratum rounding, the shape of the published data, and a pinned example."""

from __future__ import annotations

import copy
import hashlib
import re

import pytest

from inspections import drawing
from inspections.tests.drawing_data import candidate, dataset, inspector, seed_of

# --- canonical JSON -------------------------------------------------------------------------


def test_canonical_json_sorts_keys_has_no_whitespace_and_keeps_chinese():
    assert (
        drawing.canonical_json({"b": 1, "a": ["丽水", "x"]}) == '{"a":["丽水","x"],"b":1}'.encode()
    )


def test_canonical_json_escapes_only_quotes_backslashes_and_control_characters():
    text = drawing.canonical_json(['a"b\\c\n\t\x01\x7f/é'])
    assert text == b'["a\\"b\\\\c\\n\\t\\u0001\x7f/\xc3\xa9"]'


@pytest.mark.parametrize("value", [0.1, True, None, 1.0, {1: "a"}, b"x", {"a": [1, {"b": 2.5}]}])
def test_canonical_json_refuses_anything_but_objects_arrays_strings_and_integers(value):
    with pytest.raises(drawing.DrawDataError):
        drawing.canonical_json(value)


def test_canonical_json_accepts_large_and_negative_integers():
    assert drawing.canonical_json([-3, 2**70]) == b"[-3,1180591620717411303424]"


def test_fingerprint_is_the_sha256_of_the_canonical_bytes():
    assert drawing.fingerprint({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def test_the_two_fingerprints_cover_exactly_their_lists():
    data = dataset([candidate(1)], [{"class": "crowded", "grade": "B", "ratio": "1"}], [])
    assert drawing.candidates_fingerprint(data) == drawing.fingerprint(
        {"candidates": data["candidates"], "ratios": data["ratios"]}
    )
    assert drawing.inspectors_fingerprint(data) == drawing.fingerprint(
        {"inspectors": [], "exclusions": [], "previous_pairs": []}
    )
    result = drawing.draw(data, seed_of("fp"))
    assert result["candidates_fingerprint"] == drawing.candidates_fingerprint(data)
    assert result["inspectors_fingerprint"] == drawing.inspectors_fingerprint(data)
    renamed = copy.deepcopy(data)
    renamed["candidates"][0]["name"] = "另一单位"
    assert drawing.candidates_fingerprint(renamed) != drawing.candidates_fingerprint(data)
    assert drawing.inspectors_fingerprint(renamed) == drawing.inspectors_fingerprint(data)
    other_plan = {**data, "plan": 2}
    assert drawing.candidates_fingerprint(other_plan) == drawing.candidates_fingerprint(data)


# --- seed and commitment --------------------------------------------------------------------


def test_a_new_seed_is_32_random_bytes_in_lowercase_hex():
    seeds = {drawing.new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(re.fullmatch("[0-9a-f]{64}", s) for s in seeds)


def test_the_commitment_is_the_sha256_of_the_seed_bytes_not_of_its_text():
    assert (
        drawing.seed_commitment("00" * 32)
        == "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    )
    assert drawing.seed_commitment("AB" * 32) == drawing.seed_commitment("ab" * 32)


@pytest.mark.parametrize("seed", ["", "00" * 31, "00" * 33, "zz" * 32, None, 12, "0x" + "0" * 62])
def test_a_seed_that_is_not_32_bytes_of_hex_is_refused(seed):
    with pytest.raises(drawing.DrawDataError):
        drawing.seed_commitment(seed)
    with pytest.raises(drawing.DrawDataError):
        drawing.draw(dataset([], [], []), seed)


# --- stratum rounding -----------------------------------------------------------------------


def drawn(size: int, ratio: str | None) -> int:
    ratios = [] if ratio is None else [{"class": "crowded", "grade": "B", "ratio": ratio}]
    data = dataset([candidate(i) for i in range(1, size + 1)], ratios, [])
    (stratum,) = drawing.draw(data, seed_of("round"))["strata"]
    return stratum["drawn"]


@pytest.mark.parametrize(
    ("size", "ratio", "expected"),
    [
        (10, "0.10", 1),  # exactly 1
        (10, "0.11", 2),  # 1.1 rounds up: the ratio is a minimum
        (10, "0.1000000001", 2),
        (10, "0.09", 1),
        (19, "0.10", 2),
        (20, "0.10", 2),
        (21, "0.10", 3),
        (1, "0.05", 1),  # a non-empty stratum with a positive ratio draws at least one
        (3, "0.333", 1),
        (3, "0.334", 2),
        (7, "0", 0),
        (7, "0.0", 0),
        (7, "1", 7),
        (7, "1.00", 7),
        (7, "1.5", 7),  # never more than the stratum
        (7, "12", 7),
        (0, "0.5", 0),
        (7, None, 0),  # no ratio row: not drawn
    ],
)
def test_a_stratum_draws_the_ceiling_of_ratio_times_size(size, ratio, expected):
    assert drawn(size, ratio) == expected


def test_a_stratum_without_a_ratio_row_is_reported_with_ratio_zero():
    data = dataset(
        [candidate(1, cls="key")], [{"class": "crowded", "grade": "B", "ratio": "1"}], []
    )
    strata = drawing.draw(data, seed_of("zero"))["strata"]
    assert strata == [
        {"class": "crowded", "grade": "B", "size": 0, "ratio": "1", "drawn": 0},
        {"class": "key", "grade": "B", "size": 1, "ratio": "0", "drawn": 0},
    ]


@pytest.mark.parametrize("ratio", ["0.1.", ".5", "-0.1", "1e-1", "01", " 0.1", "0,1", "", "½"])
def test_a_ratio_that_is_not_a_plain_decimal_string_is_refused(ratio):
    with pytest.raises(drawing.DrawDataError, match="ratio"):
        drawn(3, ratio)


def test_a_float_ratio_is_refused():
    data = dataset([candidate(1)], [{"class": "crowded", "grade": "B", "ratio": 0.1}], [])
    with pytest.raises(drawing.DrawDataError, match="'ratio' must be a string"):
        drawing.draw(data, seed_of("x"))


# --- shape of the published data ------------------------------------------------------------


def base():
    return dataset(
        [candidate(1), candidate(2)],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [inspector(10), inspector(11), inspector(12)],
        [{"inspector": 10, "candidate": 1}],
        [{"candidate": 2, "inspectors": [11, 12]}],
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["candidates"].append(candidate(1)), "appears twice"),
        (lambda d: d["candidates"][0].update(id=True), "'id' must be an integer"),
        (lambda d: d["candidates"][0].update(id="1"), "'id' must be an integer"),
        (lambda d: d["candidates"][0].update(score=1.5), "extra \\['score'\\]"),
        (lambda d: d["candidates"][0].pop("uscc"), "missing \\['uscc'\\]"),
        (lambda d: d["candidates"][0].update(uscc=None), "'uscc' must be a string"),
        (lambda d: d["candidates"].append("x"), "not an object"),
        (lambda d: d.update(candidates={}), "'candidates' must be a list"),
        (lambda d: d.pop("exclusions"), "'exclusions' must be a list"),
        (lambda d: d["ratios"].append(dict(d["ratios"][0])), "a second ratio"),
        (lambda d: d["inspectors"].append(inspector(10, "LQ")), "appears twice"),
        (lambda d: d["inspectors"][0].update(name="张三"), "extra \\['name'\\]"),
        (lambda d: d["exclusions"][0].update(inspector="10"), "'inspector' must be an integer"),
        (lambda d: d["previous_pairs"][0].update(inspectors=[11]), "two different"),
        (lambda d: d["previous_pairs"][0].update(inspectors=[11, 11]), "two different"),
        (lambda d: d["previous_pairs"][0].update(inspectors=[11, "12"]), "two different"),
        (lambda d: d["previous_pairs"].append(dict(d["previous_pairs"][0])), "a second previous"),
    ],
)
def test_data_not_in_the_documented_shape_is_refused_with_the_reason(change, message):
    data = base()
    drawing.draw(data, seed_of("shape"))  # the base is valid
    change(data)
    with pytest.raises(drawing.DrawDataError, match=message):
        drawing.draw(data, seed_of("shape"))


def test_a_data_document_that_is_not_an_object_is_refused():
    with pytest.raises(drawing.DrawDataError):
        drawing.draw([], seed_of("x"))


def test_exclusions_and_previous_pairs_naming_unknown_officers_are_harmless():
    data = base()
    data["exclusions"].append({"inspector": 999, "candidate": 2})
    data["previous_pairs"].append({"candidate": 1, "inspectors": [998, 999]})
    result = drawing.draw(data, seed_of("dangling"))
    assert len(result["selected"]) == 2


# --- the assignment at its edges -------------------------------------------------------------


def test_a_unit_of_a_brigade_with_one_officer_is_reported_not_dropped():
    data = dataset(
        [candidate(1, "LQ")],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [inspector(10, "LQ")],
    )
    result = drawing.draw(data, seed_of("one"))
    assert result["selected"] == []
    assert result["unassigned"] == [
        {"candidate": 1, "brigade": "LQ", "reason": "fewer_than_two_eligible", "eligible": 1}
    ]


def test_officers_of_another_brigade_are_never_borrowed():
    data = dataset(
        [candidate(1, "LQ")],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [inspector(10, "LD"), inspector(11, "LD")],
    )
    (row,) = drawing.draw(data, seed_of("borrow"))["unassigned"]
    assert row["eligible"] == 0


def test_declared_conflicts_can_leave_fewer_than_two():
    data = dataset(
        [candidate(1)],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [inspector(10), inspector(11), inspector(12)],
        [{"inspector": 10, "candidate": 1}, {"inspector": 11, "candidate": 1}],
    )
    (row,) = drawing.draw(data, seed_of("conflicts"))["unassigned"]
    assert row == {
        "candidate": 1,
        "brigade": "LD",
        "reason": "fewer_than_two_eligible",
        "eligible": 1,
    }


def test_when_only_the_previous_pair_is_left_the_unit_is_reported():
    data = dataset(
        [candidate(1)],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [inspector(10), inspector(11)],
        previous_pairs=[{"candidate": 1, "inspectors": [11, 10]}],
    )
    (row,) = drawing.draw(data, seed_of("previous"))["unassigned"]
    assert row == {"candidate": 1, "brigade": "LD", "reason": "only_previous_pair", "eligible": 2}


def test_with_a_third_officer_the_previous_pair_is_split():
    data = dataset(
        [candidate(1)],
        [{"class": "crowded", "grade": "B", "ratio": "1"}],
        [inspector(10), inspector(11), inspector(12)],
        previous_pairs=[{"candidate": 1, "inspectors": [10, 11]}],
    )
    for n in range(30):
        (row,) = drawing.draw(data, seed_of(f"split {n}"))["selected"]
        assert 12 in row["inspectors"]


# --- a pinned example: any change of the algorithm changes this -----------------------------

PINNED = dataset(
    [candidate(i, "LD" if i % 3 else "LQ", "crowded" if i % 2 else "key") for i in range(1, 21)],
    [
        {"class": "crowded", "grade": "B", "ratio": "0.30"},
        {"class": "key", "grade": "B", "ratio": "0.25"},
    ],
    [inspector(100 + i, "LD") for i in range(4)] + [inspector(200 + i, "LQ") for i in range(3)],
    [{"inspector": 100, "candidate": 5}],
    [{"candidate": 7, "inspectors": [101, 102]}],
)


def test_the_pinned_example_draw_is_stable():
    """A re-implementation in another language must reproduce exactly this (the verifiable-draw ADR)."""
    result = drawing.draw(PINNED, seed_of("pinned"))
    assert result["algorithm"] == "lishui-draw-v1"
    assert result["strata"] == [
        {"class": "crowded", "grade": "B", "size": 10, "ratio": "0.30", "drawn": 3},
        {"class": "key", "grade": "B", "size": 10, "ratio": "0.25", "drawn": 3},
    ]
    assert result["selected"] == PINNED_SELECTED
    assert result["unassigned"] == []
    assert result["seed_commitment"] == (
        "471823067ec3905c67deb7888c82c159aea8147172c11d053e23d7329c555ba7"
    )
    assert result["candidates_fingerprint"] == (
        "cd1324e25985661c41d001c2716005a37bcf0f5c383086dcc4383623a3439c7c"
    )
    assert result["inspectors_fingerprint"] == (
        "48641535c4d2a79272c176947f168549253c16666945ac9a203d111b203a3201"
    )


# Checked by hand against the specification: brigade LD (officers 100–103) gets units 4, 5, 8,
# 14 and 19; unit 5 excludes 100, so 102 and 103 (load 0) take it; 14 goes to 100 and 102, the
# two at load 1; the loads end at 3, 3, 2, 2. LQ (200–202) gets unit 9.
PINNED_SELECTED = [
    {"candidate": 4, "inspectors": [101, 100]},
    {"candidate": 5, "inspectors": [102, 103]},
    {"candidate": 8, "inspectors": [103, 101]},
    {"candidate": 9, "inspectors": [200, 202]},
    {"candidate": 14, "inspectors": [102, 100]},
    {"candidate": 19, "inspectors": [100, 101]},
]
