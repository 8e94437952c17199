"""One ranking or recommendation request as candidate rows, and its answer.

A request names its query (`CONFIG["ranking"]["query"]`) and may send its
own `candidates` (ids to rank, e.g. from a search engine) and a `limit`.
Without candidates, the retrieval index gives them (`retrieval.Index`).
Each candidate is one row to score: the request's columns repeated, the
candidate's id in the item column. The catalogue's columns are looked up
like any joined table's (`serve.Service.lookup`); event columns that are the
candidate's own attributes are then copied from them (`fill_from_catalogue`).

The answer: `{"items": [{"id": ..., "score": ...}, ...], "candidates": ORIGIN,
...}`, best first, at most `limit` items; equal scores keep the retrieval
order. The fallback ranks the same candidates by their engagement in the
training data (`by_popularity`): no features, no store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlspec_runtime import features as f
from mlspec_runtime.data import column, field_type
from mlspec_runtime.retrieval import Index
from mlspec_runtime.spec import Spec

# Request fields that are not columns of the scored event.
OPTIONS = ("candidates", "limit")


@dataclass(frozen=True)
class Plan:
    """One request's candidates, where they came from, and how many to answer."""

    ids: list[str]
    origin: str  # "request", "model" (the retrieval stage) or "popularity"
    limit: int


def plan(spec: Spec, index: Index | None, body: Mapping[str, Any]) -> Plan:
    declared = spec.config["ranking"]
    limit = int(body.get("limit") or declared["limit"])
    sent = body.get("candidates")
    if sent:
        # Repeated ids are ranked once, in the order first sent.
        return Plan(list(dict.fromkeys(str(i) for i in sent))[: declared["candidates"]], "request", limit)
    if index is None:
        return Plan([], "popularity", limit)
    query = body.get(_query_name(spec))
    ids, origin = index.candidates(str(query) if query is not None else None, int(declared["candidates"]))
    return Plan(ids, origin, limit)


def _query_name(spec: Spec) -> str:
    query = spec.config["ranking"]["query"]
    return next((name for name, col in spec.request_columns.items() if col == query), query.split(".", 1)[1])


def candidate_rows(spec: Spec, rows: f.Rows, plans: Sequence[Plan]) -> f.Rows:
    """The request rows repeated once per candidate, with the candidate ids
    in the item column (`rows` has one row per plan)."""
    counts = np.array([len(p.ids) for p in plans], dtype=np.int64)
    out = {name: np.repeat(values, counts, axis=0) for name, values in rows.items()}
    item = spec.config["ranking"]["item"]
    out[item] = column([i for p in plans for i in p.ids], field_type(spec, item))
    return out


def fill_from_catalogue(spec: Spec, joined: dict[str, np.ndarray]) -> None:
    """Copies each candidate's catalogue attributes to the event columns
    they stand for, once the catalogue's columns are there."""
    declared = spec.config.get("ranking")
    for event_col, catalogue_col in (declared["from_catalogue"] if declared else {}).items():
        if catalogue_col in joined and event_col not in joined:
            joined[event_col] = column(joined[catalogue_col], field_type(spec, event_col))


def answers(plans: Sequence[Plan], scores: np.ndarray, model: str, fallback: bool) -> list[dict]:
    """The ranked answer of each plan, from the scores of all candidate rows in order."""
    out, start = [], 0
    for p in plans:
        s = np.asarray(scores[start : start + len(p.ids)], dtype=float)
        start += len(p.ids)
        order = np.argsort(-s, kind="stable")[: p.limit]
        items = [{"id": p.ids[i], "score": float(s[i])} for i in order]
        out.append({"items": items, "candidates": p.origin, "model": model, "fallback": fallback})
    return out


def by_popularity(index: Index | None, plans: Sequence[Plan], model: str) -> list[dict]:
    """The fallback's answers: each plan's candidates by their engagement in
    the training data (no features, no store: cheap when the model is late
    or the store is down), ties in the plan's order."""
    scores = [index.popularity(p.ids) if index is not None else np.zeros(len(p.ids)) for p in plans]
    return answers(plans, np.concatenate(scores) if scores else np.zeros(0), model, True)
