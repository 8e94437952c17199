"""The retrieval index and the ranked answer (`retrieval`, `ranking`)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from mlspec_runtime import ranking, retrieval


def spec_of(retrieval_model: bool = True, candidates: int = 3, limit: int = 2) -> Any:
    plan = {
        "query": "e.user",
        "item": "e.item",
        "catalogue": "items",
        "catalogue_key": "item_id",
        "from_catalogue": {"e.maker": "items.maker"},
        "candidates": candidates,
        "limit": limit,
        "retrieval": {"model": "mf", "kind": "matrix_factorization", "candidates": candidates, "factors": 4} if retrieval_model else None,
    }
    fields = {"item_id": {"type": "id"}, "maker": {"type": "id"}}
    sources = {"e": {"fields": {"maker": {"type": "id"}, "item": {"type": "id"}}}, "items": {"fields": fields}}
    return SimpleNamespace(config={"target": "e.y", "ranking": plan}, sources=sources, request_columns={"user": "e.user"})


def events() -> pd.DataFrame:
    """Two tastes: users u0-u9 engage with items a-c, users v0-v9 with d-f;
    item f is the most engaged overall, `z` is in the catalogue only."""
    rows = []
    for i in range(10):
        rows += [(f"u{i}", item, 1) for item in "abc"]
        rows += [(f"v{i}", item, 1) for item in "def"]
        rows += [(f"v{i}", "f", 0)]
    return pd.DataFrame(rows, columns=["e.user", "e.item", "e.y"])


def catalogue() -> dict[str, pd.DataFrame]:
    return {"items": pd.DataFrame({"item_id": list("abcdefz"), "maker": list("mmmnnnn")})}


def test_a_known_query_gets_the_items_of_its_taste():
    spec = spec_of()
    index = retrieval.build(spec, events(), catalogue())
    ids, origin = index.candidates("u3", 3)
    assert origin == "model"
    assert sorted(ids) == ["a", "b", "c"]
    ids, _ = index.candidates("v3", 3)
    assert sorted(ids) == ["d", "e", "f"]


def test_an_unknown_query_gets_the_popular_items_and_the_whole_catalogue_is_indexed():
    index = retrieval.build(spec_of(), events(), catalogue())
    ids, origin = index.candidates("nobody", 10)
    assert origin == "popularity"
    assert ids[0] == "f"  # ten more events than any other item
    assert sorted(ids) == list("abcdefz") and ids[-1] == "z"
    assert index.candidates(None, 2) == (ids[:2], "popularity")


def test_without_a_retrieval_model_every_query_gets_popularity():
    index = retrieval.build(spec_of(retrieval_model=False), events(), catalogue())
    assert index.query_factors is None
    assert index.candidates("u3", 3)[1] == "popularity"


def test_the_saved_index_answers_the_same(tmp_path):
    index = retrieval.build(spec_of(), events(), catalogue())
    index.save(tmp_path)
    loaded = retrieval.Index.load(tmp_path)
    for query in ("u1", "v2", "nobody"):
        assert loaded.candidates(query, 4) == index.candidates(query, 4)


def test_recall_counts_positive_pairs_found_among_the_candidates():
    spec = spec_of(candidates=3)
    index = retrieval.build(spec, events(), catalogue())
    assert retrieval.recall(index, spec, events())["recall"] == 1.0
    unseen = pd.DataFrame([("u1", "z", 1), ("u1", "a", 1)], columns=["e.user", "e.item", "e.y"])
    assert retrieval.recall(index, spec, unseen) == {"candidates": 3, "positives": 2, "recall": 0.5}


def test_sent_candidates_are_ranked_once_each_up_to_the_declared_number():
    spec = spec_of(candidates=3)
    plan = ranking.plan(spec, None, {"user": "u1", "candidates": ["x", "y", "x", "w", "v"], "limit": 2})
    assert plan == ranking.Plan(["x", "y", "w"], "request", 2)
    index = retrieval.build(spec, events(), catalogue())
    assert ranking.plan(spec, index, {"user": "u1"}).origin == "model"
    assert ranking.plan(spec, index, {"user": "u1"}).limit == 2


def test_answers_are_best_first_ties_in_retrieval_order_and_limited():
    plans = [ranking.Plan(["a", "b", "c", "d"], "model", 3), ranking.Plan(["e", "f"], "popularity", 5)]
    scores = np.array([0.1, 0.9, 0.5, 0.9, 0.5, 0.5])
    first, second = ranking.answers(plans, scores, "m", False)
    assert [i["id"] for i in first["items"]] == ["b", "d", "c"]
    assert [i["id"] for i in second["items"]] == ["e", "f"]
    assert second["candidates"] == "popularity" and second["fallback"] is False


def test_candidate_rows_repeat_the_query_and_take_attributes_from_the_catalogue():
    spec = spec_of()
    rows = {"e.user": np.array(["u1", "u2"], dtype=object)}
    plans = [ranking.Plan(["a", "b"], "model", 2), ranking.Plan(["c"], "model", 2)]
    out = ranking.candidate_rows(spec, rows, plans)
    assert list(out["e.user"]) == ["u1", "u1", "u2"]
    assert list(out["e.item"]) == ["a", "b", "c"]
    out["items.maker"] = np.array(["m", "n", None], dtype=object)
    ranking.fill_from_catalogue(spec, out)
    assert list(out["e.maker"]) == ["m", "n", None]


def test_the_fallback_ranks_candidates_by_engagement_without_features():
    index = retrieval.build(spec_of(), events(), catalogue())
    plans = [ranking.Plan(["a", "unknown", "f", "z"], "model", 4)]
    (out,) = ranking.by_popularity(index, plans, "popular")
    assert [i["id"] for i in out["items"]] == ["f", "a", "unknown", "z"]
    assert out["items"][0]["score"] == 1.0 and out["items"][-1]["score"] == 0.0
    assert out["fallback"] is True and out["model"] == "popular"
    (none,) = ranking.by_popularity(None, plans, "popular")
    assert [i["id"] for i in none["items"]] == ["a", "unknown", "f", "z"]
