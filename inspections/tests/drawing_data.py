"""Published draw data for the drawing tests: hypothesis strategies and fixed examples."""

from __future__ import annotations

import hashlib

from hypothesis import strategies as st

BRIGADES = ["LD", "LQ", "QT"]
CLASSES = ["crowded", "key", "general"]
GRADES = ["A", "B", "C"]
RATIOS = ["0", "0.05", "0.10", "0.25", "0.333", "0.5", "1", "1.50"]


def seed_of(label: str) -> str:
    """A fixed, reproducible seed for a test (never a secret)."""
    return hashlib.sha256(label.encode()).hexdigest()


seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)


def candidate(cid: int, brigade: str = "LD", cls: str = "crowded", grade: str = "B") -> dict:
    return {
        "id": cid,
        "name": f"单位{cid}",
        "uscc": f"91331100MA{cid:08d}",
        "brigade": brigade,
        "class": cls,
        "grade": grade,
    }


def inspector(iid: int, brigade: str = "LD") -> dict:
    return {"id": iid, "code": f"{brigade}-{iid:03d}", "brigade": brigade}


def dataset(candidates, ratios, inspectors, exclusions=(), previous_pairs=()) -> dict:
    return {
        "plan": 1,
        "version": 1,
        "candidates": list(candidates),
        "ratios": list(ratios),
        "inspectors": list(inspectors),
        "exclusions": list(exclusions),
        "previous_pairs": list(previous_pairs),
    }


@st.composite
def datasets(draw, constrained: bool = True, max_candidates: int = 60):
    """Small published data sets: ≤ 3 brigades, 3×3 strata, ≤ 9 officers; with ``constrained``
    also declared conflicts and previous pairs (possibly across brigades, possibly dangling)."""
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=max_candidates))
    candidates = [
        candidate(
            cid,
            draw(st.sampled_from(BRIGADES)),
            draw(st.sampled_from(CLASSES)),
            draw(st.sampled_from(GRADES)),
        )
        for cid in ids
    ]
    strata = draw(
        st.lists(
            st.tuples(st.sampled_from(CLASSES), st.sampled_from(GRADES)), unique=True, max_size=9
        )
    )
    ratios = [{"class": c, "grade": g, "ratio": draw(st.sampled_from(RATIOS))} for c, g in strata]
    officer_ids = draw(st.lists(st.integers(20_000, 20_050), unique=True, max_size=9))
    inspectors = [inspector(i, draw(st.sampled_from(BRIGADES))) for i in officer_ids]
    exclusions: list[dict] = []
    previous: list[dict] = []
    if constrained and ids and officer_ids:
        exclusions = [
            {
                "inspector": draw(st.sampled_from(officer_ids)),
                "candidate": draw(st.sampled_from(ids)),
            }
            for _ in range(draw(st.integers(0, 15)))
        ]
        if len(officer_ids) >= 2:
            units = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
            for cid in units:
                pair = draw(
                    st.lists(st.sampled_from(officer_ids), min_size=2, max_size=2, unique=True)
                )
                previous.append({"candidate": cid, "inspectors": pair})
    return dataset(candidates, ratios, inspectors, exclusions, previous)


def large_dataset(n: int = 1_000, officers: int = 12) -> dict:
    """One brigade, one stratum of ``n`` units at 10 %, ``officers`` officers, no constraints."""
    return dataset(
        [candidate(i) for i in range(1, n + 1)],
        [{"class": "crowded", "grade": "B", "ratio": "0.10"}],
        [inspector(100_000 + i) for i in range(officers)],
    )
