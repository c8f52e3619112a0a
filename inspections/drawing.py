"""The verifiable random draw of 双随机、一公开 spot checks: algorithm ``lishui-draw-v1``.

Pure Python 3.11 standard library, no Django: anyone can copy this one file and re-run a
published draw (``python drawing.py verify <file or URL>``; ``scripts/verify_draw.py`` is the
documented entry point). The ADR "verifiable draw" in docs/adr/ explains the choices; this
docstring is the specification, precise enough to re-implement in another language.

Published data (frozen when the plan is published; JSON, integers and strings only)::

    {"plan": 12, "version": 1,
     "candidates": [{"id": 7, "name": "…", "uscc": "…", "brigade": "LD",
                     "class": "crowded", "grade": "B"}, …],
     "ratios": [{"class": "crowded", "grade": "B", "ratio": "0.10"}, …],
     "inspectors": [{"id": 3, "code": "LD-07", "brigade": "LD"}, …],
     "exclusions": [{"inspector": 3, "candidate": 7}, …],
     "previous_pairs": [{"candidate": 7, "inspectors": [3, 5]}, …]}

- ``candidates``: the target roster in scope (already without units with an open inspection and
  A-rated units that reached their yearly cap). ``id`` unique; ``brigade`` the OrgUnit code of
  the brigade that inspects it; ``class`` the venue class code; ``grade`` the credit grade code.
- ``ratios``: the sampling ratio of each (class, grade) stratum as a decimal string
  (``^(0|[1-9][0-9]*)(\\.[0-9]+)?$``; never a float). A stratum without a row has ratio ``"0"``.
  At most one row per stratum.
- ``inspectors``: the certified, active enforcement officers, each under a public pseudonymous
  ``code`` (never a name); ``id`` unique.
- ``exclusions``: declared conflicts of interest (officer must not inspect that unit).
- ``previous_pairs``: the two officers of the unit's last inspection (at most one row per unit).

Commitment (published with the data, before the draw):

- ``canonical_json(x)``: UTF-8 JSON, object keys sorted by code point, no whitespace, strings
  with only ``"`` ``\\`` and control characters escaped (``\\b \\f \\n \\r \\t``, others
  ``\\u00xx``), integers in decimal; only objects, arrays, strings and integers are allowed
  (for these values it coincides with RFC 8785).
- ``candidates_fingerprint = SHA-256(canonical_json({"candidates": …, "ratios": …}))`` and
  ``inspectors_fingerprint = SHA-256(canonical_json({"inspectors": …, "exclusions": …,
  "previous_pairs": …}))``, lowercase hex.
- The seed: 32 random bytes (``secrets``), published as 64 lowercase hex digits after the draw;
  ``seed_commitment = SHA-256(seed bytes)``, published before the draw.

Random stream (deterministic, from the seed only): a stream has a label ``L`` (the canonical
JSON of a short array, e.g. ``["select","crowded","B"]``). Block ``k`` (k = 0, 1, …) is
``HMAC-SHA256(key = seed bytes, message = L || 0x00 || k as 8-byte big-endian)``; each block
gives four 64-bit big-endian words, used in order. ``uniform(n)`` (0 ≤ result < n) takes the
next word ``w``, accepts it if ``w < 2^64 − (2^64 mod n)`` and returns ``w mod n``, otherwise
takes the next word (rejection sampling: no modulo bias). Every call consumes at least one word,
even ``uniform(1)``.

Selection of units, per stratum (class, grade), strata in any order (each has its own stream
``["select", class, grade]``):

1. ``size`` = number of candidates of the stratum; ``k = min(size, ceil(ratio × size))`` in
   exact rational arithmetic. Ceiling because the plans' ratios are minimums ("at least 10 %"):
   a non-empty stratum with a positive ratio draws at least one unit; ratio ≥ 1 takes all;
   ratio 0 takes none.
2. ``a`` = the stratum's candidate ids in ascending order; for ``i = 0 … k−1``:
   ``j = i + uniform(size − i)``, swap ``a[i]`` and ``a[j]`` (partial Fisher–Yates). The drawn
   units are ``a[0 … k−1]``: every k-subset is equally likely.

Assignment of two officers, per brigade (stream ``["assign", brigade code]``), the brigade's
drawn units in ascending candidate id. Loads start at 0 for every officer of the brigade.
For one unit:

1. ``E`` = the brigade's officers not excluded for the unit. If ``|E| < 2`` the unit is
   unassigned (reason ``fewer_than_two_eligible``); if ``E`` is exactly the unit's previous
   pair, it is unassigned (reason ``only_previous_pair``). No random number is used then.
2. First officer: among ``E``, those with the least load, in ascending id: ``T[uniform(|T|)]``.
3. Second officer: the same among ``E`` minus the first officer and, if the first officer is in
   the previous pair, minus the other member of that pair.
4. Both loads increase by one. The result lists ``[first, second]`` (the first leads).

What the assignment guarantees: (a) the two officers differ, belong to the unit's brigade, are
not excluded for it and are not its previous pair; (b) the pair has the least total load among
all valid pairs at that moment (choosing a least-loaded first officer never loses); (c) in a
brigade where no drawn unit has an exclusion or a previous pair, ``max load − min load ≤ 1``
after every step. With exclusions or previous pairs (c) can be impossible (three officers,
loads 0, 0, 1 and the first two are the previous pair) and is not promised; (b) still holds.

Result: ``{"algorithm", "seed", "seed_commitment", "candidates_fingerprint",
"inspectors_fingerprint", "selected": [{"candidate", "inspectors": [a, b]}] (ascending
candidate), "unassigned": [{"candidate", "brigade", "reason", "eligible"}] (ascending
candidate), "strata": [{"class", "grade", "size", "ratio", "drawn"}] (ascending class, grade;
every stratum with candidates or a ratio row; ``ratio`` as published, ``"0"`` if none)}``.
"drawn" counts the units selected, whether assigned or not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sys
from bisect import insort
from collections.abc import Iterable, Mapping
from fractions import Fraction
from operator import itemgetter
from typing import Any

ALGORITHM = "lishui-draw-v1"

SEED_BYTES = 32
_RATIO = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")
_SEED = re.compile(r"^[0-9a-f]{64}$")
_WORD = 2**64
RESULT_FIELDS = ("selected", "unassigned", "strata")


class DrawDataError(ValueError):
    """The published data or the seed is not in the documented shape."""


# --- canonical JSON and fingerprints -------------------------------------------------------


def _check_types(obj: Any) -> None:
    stack = [obj]
    scalars = (str, int)
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in scalars:
            continue
        if kind is dict:
            for key, value in item.items():
                if type(key) is not str:
                    raise DrawDataError(f"object key {key!r} is not a string")
                stack.append(value)
        elif kind is list or kind is tuple:
            stack.extend(item)
        else:
            raise DrawDataError(f"{item!r}: only objects, arrays, strings and integers")


def canonical_json(obj: Any) -> bytes:
    """The canonical bytes of ``obj`` (see the module docstring)."""
    _check_types(obj)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def candidates_fingerprint(data: Mapping[str, Any]) -> str:
    return fingerprint({"candidates": data["candidates"], "ratios": data["ratios"]})


def inspectors_fingerprint(data: Mapping[str, Any]) -> str:
    return fingerprint(
        {
            "inspectors": data["inspectors"],
            "exclusions": data["exclusions"],
            "previous_pairs": data["previous_pairs"],
        }
    )


def new_seed() -> str:
    return secrets.token_hex(SEED_BYTES)


def _seed_bytes(seed_hex: Any) -> bytes:
    if not isinstance(seed_hex, str) or not _SEED.match(seed_hex.lower()):
        raise DrawDataError("the seed must be 64 hexadecimal digits (32 bytes)")
    return bytes.fromhex(seed_hex)


def seed_commitment(seed_hex: str) -> str:
    return hashlib.sha256(_seed_bytes(seed_hex)).hexdigest()


# --- the random stream ---------------------------------------------------------------------


class Stream:
    """Uniform integers from HMAC-SHA256(seed, label || 0x00 || counter) (module docstring)."""

    __slots__ = ("_counter", "_key", "_prefix", "_words")

    def __init__(self, seed: bytes, label: list[str]) -> None:
        self._key = seed
        self._prefix = canonical_json(label) + b"\x00"
        self._counter = 0
        self._words: list[int] = []

    def word(self) -> int:
        if not self._words:
            block = hmac.digest(
                self._key, self._prefix + self._counter.to_bytes(8, "big"), "sha256"
            )
            self._counter += 1
            # Reversed so that pop() yields the words in order.
            self._words = [int.from_bytes(block[i : i + 8], "big") for i in (24, 16, 8, 0)]
        return self._words.pop()

    def uniform(self, n: int) -> int:
        if n < 1:
            raise ValueError("uniform(n) needs n >= 1")
        limit = _WORD - _WORD % n
        while True:
            w = self.word()
            if w < limit:
                return w % n


# --- validation of the published data -----------------------------------------------------

# Each row has exactly these fields, of these types (so the fingerprints need no second check).
CANDIDATE_FIELDS = {"id": int, "name": str, "uscc": str, "brigade": str, "class": str, "grade": str}
RATIO_FIELDS = {"class": str, "grade": str, "ratio": str}
INSPECTOR_FIELDS = {"id": int, "code": str, "brigade": str}
EXCLUSION_FIELDS = {"inspector": int, "candidate": int}
PAIR_FIELDS = {"candidate": int, "inspectors": list}


def _bad_row(row: Any, fields: dict[str, type], where: str) -> DrawDataError:
    if not isinstance(row, dict):
        return DrawDataError(f"{where}: not an object")
    missing = [f for f in fields if f not in row]
    extra = sorted(str(f) for f in row if f not in fields)
    if missing or extra:
        return DrawDataError(
            f"{where}: fields must be {sorted(fields)} (missing {missing}, extra {extra})"
        )
    for field, kind in fields.items():
        if type(row[field]) is not kind:
            word = {int: "an integer", str: "a string", list: "a list"}[kind]
            return DrawDataError(f"{where}: {field!r} must be {word}")
    return DrawDataError(f"{where}: invalid")  # pragma: no cover (not reached)


def _rows(data: Mapping[str, Any], key: str, fields: dict[str, type]) -> list[dict]:
    """The list ``data[key]`` after checking every row's fields and types."""
    rows = data.get(key) if isinstance(data, Mapping) else None
    if type(rows) is not list:
        raise DrawDataError(f"{key!r} must be a list")
    names = fields.keys()
    kinds = tuple(fields.values())
    values = itemgetter(*names)
    for n, row in enumerate(rows):
        if type(row) is not dict or row.keys() != names or tuple(map(type, values(row))) != kinds:
            raise _bad_row(row, fields, f"{key}[{n}]")
    return rows


def _ratio(text: str, where: str) -> Fraction:
    if not _RATIO.match(text):
        raise DrawDataError(f'{where}: the ratio must be a decimal string such as "0.10"')
    return Fraction(text)


def _unchecked_fingerprint(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the draw ------------------------------------------------------------------------------


def _select(seed: bytes, candidates: list[dict], ratio_rows: list[dict]):
    strata: dict[tuple[str, str], list[int]] = {}
    brigade_of: dict[int, str] = {}
    for row in candidates:
        cid = row["id"]
        if cid in brigade_of:
            raise DrawDataError(f"candidates: candidate id {cid} appears twice")
        brigade_of[cid] = row["brigade"]
        key = (row["class"], row["grade"])
        bucket = strata.get(key)
        if bucket is None:
            strata[key] = [cid]
        else:
            bucket.append(cid)
    ratios: dict[tuple[str, str], tuple[str, Fraction]] = {}
    for n, row in enumerate(ratio_rows):
        where = f"ratios[{n}]"
        key = (row["class"], row["grade"])
        if key in ratios:
            raise DrawDataError(f"{where}: a second ratio for {key[0]}/{key[1]}")
        ratios[key] = (row["ratio"], _ratio(row["ratio"], where))
    selected: list[int] = []
    report = []
    for key in sorted(set(strata) | set(ratios)):
        ids = sorted(strata.get(key, []))
        text, ratio = ratios.get(key, ("0", Fraction(0)))
        size = len(ids)
        # ceil(ratio × size) in exact arithmetic, at most the whole stratum.
        k = min(size, -((-ratio.numerator * size) // ratio.denominator))
        if k:
            uniform = Stream(seed, ["select", key[0], key[1]]).uniform
            for i in range(k):
                j = i + uniform(size - i)
                ids[i], ids[j] = ids[j], ids[i]
            selected.extend(ids[:k])
        report.append({"class": key[0], "grade": key[1], "size": size, "ratio": text, "drawn": k})
    selected.sort()
    return selected, brigade_of, report


def _roster(inspectors: list[dict], exclusions: list[dict], pairs: list[dict]):
    brigades: dict[str, list[int]] = {}
    seen: set[int] = set()
    for row in inspectors:
        iid = row["id"]
        if iid in seen:
            raise DrawDataError(f"inspectors: inspector id {iid} appears twice")
        seen.add(iid)
        brigades.setdefault(row["brigade"], []).append(iid)
    excluded: dict[int, set[int]] = {}
    for row in exclusions:
        excluded.setdefault(row["candidate"], set()).add(row["inspector"])
    previous: dict[int, tuple[int, int]] = {}
    for n, row in enumerate(pairs):
        where = f"previous_pairs[{n}]"
        cid = row["candidate"]
        pair = row["inspectors"]
        if len(pair) != 2 or any(type(i) is not int for i in pair) or pair[0] == pair[1]:
            raise DrawDataError(f"{where}: 'inspectors' must be two different inspector ids")
        if cid in previous:
            raise DrawDataError(f"{where}: a second previous pair for candidate {cid}")
        previous[cid] = (pair[0], pair[1])
    return brigades, excluded, previous


class _Loads:
    """Officers of one brigade bucketed by load, each bucket in ascending id."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.members = frozenset(ids)
        self.load = dict.fromkeys(self.members, 0)
        self.buckets: dict[int, list[int]] = {0: sorted(self.members)} if self.members else {}

    def least(self, skip: set[int]) -> list[int]:
        for level in sorted(self.buckets):
            bucket = self.buckets[level]
            tier = [i for i in bucket if i not in skip] if skip else bucket
            if tier:
                return tier
        return []

    def bump(self, iid: int) -> None:
        level = self.load[iid]
        bucket = self.buckets[level]
        bucket.remove(iid)
        if not bucket:
            del self.buckets[level]
        self.load[iid] = level + 1
        insort(self.buckets.setdefault(level + 1, []), iid)


def _assign(seed, selected, brigade_of, brigades, excluded, previous):
    assigned: list[dict] = []
    unassigned: list[dict] = []
    pools: dict[str, _Loads] = {}
    streams: dict[str, Stream] = {}
    for cid in selected:  # ascending
        brigade = brigade_of[cid]
        pool = pools.get(brigade)
        if pool is None:
            pool = pools[brigade] = _Loads(brigades.get(brigade, ()))
        skip = excluded.get(cid, set()) & pool.members
        eligible = len(pool.members) - len(skip)
        pair = previous.get(cid)
        reason = None
        if eligible < 2:
            reason = "fewer_than_two_eligible"
        elif eligible == 2 and pair is not None and pool.members - skip == set(pair):
            reason = "only_previous_pair"
        if reason:
            unassigned.append(
                {"candidate": cid, "brigade": brigade, "reason": reason, "eligible": eligible}
            )
            continue
        stream = streams.get(brigade)
        if stream is None:
            stream = streams[brigade] = Stream(seed, ["assign", brigade])
        tier = pool.least(skip)
        first = tier[stream.uniform(len(tier))]
        skip2 = skip | {first}
        if pair is not None and first in pair:
            skip2.add(pair[1] if first == pair[0] else pair[0])
        tier = pool.least(skip2)
        second = tier[stream.uniform(len(tier))]
        pool.bump(first)
        pool.bump(second)
        assigned.append({"candidate": cid, "inspectors": [first, second]})
    return assigned, unassigned


def draw(data: Mapping[str, Any], seed_hex: str) -> dict[str, Any]:
    """The draw of ``data`` with ``seed_hex``: the same inputs always give the same result.

    Raises ``DrawDataError`` when the data or the seed is not in the documented shape.
    """
    seed = _seed_bytes(seed_hex)
    candidates = _rows(data, "candidates", CANDIDATE_FIELDS)
    ratio_rows = _rows(data, "ratios", RATIO_FIELDS)
    inspectors = _rows(data, "inspectors", INSPECTOR_FIELDS)
    exclusions = _rows(data, "exclusions", EXCLUSION_FIELDS)
    pairs = _rows(data, "previous_pairs", PAIR_FIELDS)
    selected, brigade_of, strata = _select(seed, candidates, ratio_rows)
    brigades, excluded, previous = _roster(inspectors, exclusions, pairs)
    assigned, unassigned = _assign(seed, selected, brigade_of, brigades, excluded, previous)
    # Every value was type-checked above (pairs' members in _roster): no second walk.
    return {
        "algorithm": ALGORITHM,
        "seed": seed_hex.lower(),
        "seed_commitment": hashlib.sha256(seed).hexdigest(),
        "candidates_fingerprint": _unchecked_fingerprint(
            {"candidates": candidates, "ratios": ratio_rows}
        ),
        "inspectors_fingerprint": _unchecked_fingerprint(
            {"inspectors": inspectors, "exclusions": exclusions, "previous_pairs": pairs}
        ),
        "selected": assigned,
        "unassigned": unassigned,
        "strata": strata,
    }


# --- verification ----------------------------------------------------------------------------

MAX_DIFFERENCES = 20


def _diff_lists(name: str, published: Any, recomputed: list, out: list[str]) -> None:
    if not isinstance(published, list):
        out.append(f"{name}: published value is not a list")
        return
    if len(published) != len(recomputed):
        out.append(f"{name}: published {len(published)} rows, recomputed {len(recomputed)}")
    for i, (a, b) in enumerate(zip(published, recomputed, strict=False)):
        if a != b:
            out.append(f"{name}[{i}]: published {a!r}, recomputed {b!r}")


def verify(data: Mapping[str, Any], seed_hex: str, published_result: Mapping[str, Any]) -> dict:
    """Re-run the draw from the published data and seed and compare with the published result.

    Never raises on bad input: a malformed seed, data or result is a mismatch with its reason
    in ``differences``.
    """
    out: dict[str, Any] = {
        "matches": False,
        "seed_matches_commitment": False,
        "candidates_fingerprint_matches": False,
        "inspectors_fingerprint_matches": False,
        "result_matches": False,
        "differences": [],
    }
    diffs: list[str] = out["differences"]
    if not isinstance(published_result, Mapping):
        diffs.append("the published result is not an object")
        return out
    try:
        seed = _seed_bytes(seed_hex)
    except DrawDataError as exc:
        diffs.append(f"seed: {exc}")
        return out
    out["seed_matches_commitment"] = hashlib.sha256(seed).hexdigest() == published_result.get(
        "seed_commitment"
    )
    if not out["seed_matches_commitment"]:
        diffs.append("seed: its SHA-256 is not the published seed_commitment")
    if str(published_result.get("seed", "")).lower() != seed_hex.lower():
        diffs.append("seed: the published result names another seed")
    try:
        recomputed = draw(data, seed_hex)
    except (DrawDataError, KeyError, TypeError) as exc:
        diffs.append(f"data: {exc}")
        return out
    for key in ("candidates_fingerprint", "inspectors_fingerprint"):
        ok = published_result.get(key) == recomputed[key]
        out[f"{key}_matches"] = ok
        if not ok:
            diffs.append(f"{key}: the published data does not hash to the published fingerprint")
    result_diffs: list[str] = []
    if published_result.get("algorithm") != ALGORITHM:
        result_diffs.append(
            f"algorithm: published {published_result.get('algorithm')!r}, this is {ALGORITHM!r}"
        )
    for key in RESULT_FIELDS:
        _diff_lists(key, published_result.get(key), recomputed[key], result_diffs)
    out["result_matches"] = not result_diffs
    diffs.extend(result_diffs)
    if len(diffs) > MAX_DIFFERENCES:
        more = len(diffs) - MAX_DIFFERENCES
        del diffs[MAX_DIFFERENCES:]
        diffs.append(f"… and {more} more differences")
    out["matches"] = (
        all(
            out[k]
            for k in (
                "seed_matches_commitment",
                "candidates_fingerprint_matches",
                "inspectors_fingerprint_matches",
                "result_matches",
            )
        )
        and str(published_result.get("seed", "")).lower() == seed_hex.lower()
    )
    return out


# --- the published document and the command line -----------------------------------------


def split_published(doc: Mapping[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(data, seed, result, pre-draw commitment) from a published plan document.

    Accepts the public API's plan (``/api/v1/public/inspection-plans/{id}/``: the frozen data
    under ``"data"``, the draw under ``"draw"``) and the plain bundle ``{"data", "result"}``.
    """
    if not isinstance(doc, Mapping):
        raise DrawDataError("the document is not a JSON object")
    data = next(
        (doc[k] for k in ("data", "published_data") if isinstance(doc.get(k), Mapping)), None
    )
    if data is None and "candidates" in doc:
        data = doc
    result = next((doc[k] for k in ("draw", "result") if isinstance(doc.get(k), Mapping)), None)
    if result is None and "selected" in doc:
        result = doc
    if data is None:
        raise DrawDataError('no published data ("data") in the document')
    if result is None:
        raise DrawDataError('no draw result ("draw") in the document: not drawn yet?')
    commitment = doc.get("seed_commitment", result.get("seed_commitment"))
    return data, result.get("seed", doc.get("seed")), result, commitment


def load_document(source: str, timeout: float = 60.0) -> Any:
    if source.startswith(("http://", "https://")):
        from urllib.request import Request, urlopen

        # Only http(s) reaches here (checked above): no file: or custom scheme.
        request = Request(source, headers={"Accept": "application/json"})  # noqa: S310
        with urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    with open(source, encoding="utf-8") as handle:
        return json.load(handle)


def _yes(value: bool) -> str:
    return "是 / yes" if value else "否 / NO"


def report(doc: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """The human report for a published plan document and whether the draw matches."""
    data, seed, result, commitment = split_published(doc)
    outcome = verify(data, seed, result)
    if commitment != result.get("seed_commitment"):
        outcome["matches"] = False
        outcome["seed_matches_commitment"] = False
        outcome["differences"].insert(
            0, "seed_commitment: the draw names another commitment than the published plan"
        )
    lines = [
        f"抽取算法 / Algorithm: {result.get('algorithm')} (本程序 / this program: {ALGORITHM})",
        f"计划 / Plan: {data.get('plan')}  版本 / version: {data.get('version')}",
        f"种子 / Seed: {seed}",
        f"种子与事先公布的承诺相符 / Seed matches the prior commitment: "
        f"{_yes(outcome['seed_matches_commitment'])}",
        f"候选名单指纹相符 / Candidate list fingerprint matches: "
        f"{_yes(outcome['candidates_fingerprint_matches'])}",
        f"检查人员名单指纹相符 / Inspector list fingerprint matches: "
        f"{_yes(outcome['inspectors_fingerprint_matches'])}",
        f"重新抽取结果一致 / Re-run result matches: {_yes(outcome['result_matches'])}",
    ]
    if isinstance(result.get("selected"), list):
        lines.append(
            f"抽中单位 / Units drawn: {len(result['selected'])}，未能分派 / unassigned: "
            f"{len(result.get('unassigned') or [])}"
        )
    if result.get("voided_at"):
        lines.append(
            f"注意：此次抽取已作废 / Note: this draw was voided ({result.get('voided_at')}): "
            f"{result.get('void_reason') or ''}"
        )
    for diff in outcome["differences"]:
        lines.append(f"  不一致 / difference: {diff}")
    if outcome["matches"]:
        lines.append("结论：抽取可复现，与公布结果一致。")
        lines.append("Verdict: the draw reproduces exactly; the published result is genuine.")
    else:
        lines.append("结论：验证未通过，公布结果与重新抽取不一致。")
        lines.append("Verdict: verification FAILED; the published result does not reproduce.")
    return outcome["matches"], lines


USAGE = "usage: python drawing.py verify <published plan JSON file or URL>"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "verify":
        sys.stderr.write(USAGE + "\n")
        return 2
    try:
        doc = load_document(args[1])
        ok, lines = report(doc)
    except (OSError, ValueError) as exc:  # unreadable file, network, bad JSON, bad shape
        sys.stderr.write(f"无法验证 / cannot verify: {exc}\n")
        return 2
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
