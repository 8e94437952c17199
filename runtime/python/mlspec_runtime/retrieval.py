"""Candidates for ranking and recommendation: the retrieval stage's index.

Built at training time from the training split's events (`build`), saved as
`artifacts/retrieval.npz` (numbers and text only: loaded without pickle):

- **popularity**: every catalogue item, most engaged first (an event counts
  1, a positive event 5), then the rest in id order. Queries the factors do
  not know (cold start) get these; the fallback ranks any candidates by it.
- **factors**, when the design declares a retrieval-stage model: a truncated
  SVD of the query × item engagement matrix (matrix factorisation). A known
  query's candidates are the items with the largest inner product with its
  factor row, found exactly (one matrix-vector product and a partial sort:
  a few milliseconds for 10^5 items × 32 factors; an approximate index
  such as hnswlib is the next step past about 10^6 items).

Which event fields are the query and the item is `CONFIG["ranking"]`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mlspec_runtime.spec import Spec

INDEX_FILE = "retrieval.npz"
# A positive event counts this much more than a plain one.
POSITIVE_WEIGHT = 4.0


class Index:
    """**Invariant:** `items` are distinct and `engagement` has one value per
    item (a share of the most engaged's); `popular` (most engaged first,
    ties in item order) and the id positions are derived from them; with
    factors, `query_factors` has one row per `queries` entry and
    `item_factors` one row per item."""

    def __init__(
        self,
        items: np.ndarray,
        engagement: np.ndarray,
        queries: dict[str, int],
        query_factors: np.ndarray | None = None,
        item_factors: np.ndarray | None = None,
    ):
        self.items, self.engagement, self.queries = items, engagement, queries
        self.query_factors, self.item_factors = query_factors, item_factors
        self.popular = np.lexsort((np.arange(len(items)), -engagement))
        self.position = {str(item): i for i, item in enumerate(items)}

    def popularity(self, ids: list[str]) -> np.ndarray:
        """Each id's engagement share (0 for an id the index does not hold)."""
        return np.array([float(self.engagement[self.position[i]]) if i in self.position else 0.0 for i in ids])

    def candidates(self, query: str | None, n: int) -> tuple[list[str], str]:
        """Up to `n` item ids for a query, best first, and where they came
        from: `"model"` (the factors) or `"popularity"`."""
        n = max(0, min(n, len(self.items)))
        row = self.queries.get(query) if query is not None else None
        if row is None or self.query_factors is None or self.item_factors is None or n == 0:
            return [str(i) for i in self.items[self.popular[:n]]], "popularity"
        s = self.item_factors @ self.query_factors[row]
        top = np.argpartition(-s, n - 1)[:n] if n < len(s) else np.arange(len(s))
        # Best first; equal scores in item order, so the answer is deterministic.
        top = top[np.lexsort((top, -s[top]))]
        return [str(i) for i in self.items[top]], "model"

    def save(self, folder: Path) -> None:
        arrays = {
            "items": self.items.astype(str),
            "engagement": self.engagement,
            "queries": np.array(sorted(self.queries, key=self.queries.__getitem__), dtype=str),
        }
        if self.query_factors is not None and self.item_factors is not None:
            arrays["query_factors"], arrays["item_factors"] = self.query_factors, self.item_factors
        np.savez(folder / INDEX_FILE, **arrays)

    @classmethod
    def load(cls, folder: Path) -> Index:
        with np.load(folder / INDEX_FILE, allow_pickle=False) as z:
            queries = {str(q): i for i, q in enumerate(z["queries"])}
            factors = ("query_factors" in z.files, "item_factors" in z.files)
            return cls(
                items=z["items"],
                engagement=z["engagement"],
                queries=queries,
                query_factors=z["query_factors"] if all(factors) else None,
                item_factors=z["item_factors"] if all(factors) else None,
            )


def _weights(spec: Spec, rows: pd.DataFrame) -> np.ndarray:
    target = rows[spec.config["target"]]
    positive = pd.to_numeric(target, errors="coerce").fillna(0).to_numpy(dtype=float) > 0
    return 1.0 + POSITIVE_WEIGHT * positive


def build(spec: Spec, rows: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> Index:
    """The index over the events in `rows` (the training split, joined) and
    the catalogue table in `frames`."""
    plan = spec.config["ranking"]
    items_seen = rows[plan["item"]].astype(str)
    catalogue: list[str] = []
    if plan["catalogue"] and plan["catalogue"] in frames:
        catalogue = frames[plan["catalogue"]][plan["catalogue_key"]].dropna().astype(str).tolist()
    items = np.array(sorted(set(catalogue) | set(items_seen)), dtype=str)
    position = {item: i for i, item in enumerate(items)}
    item_rows = np.array([position[i] for i in items_seen], dtype=np.int64)
    weights = _weights(spec, rows)
    engagement = np.bincount(item_rows, weights=weights, minlength=len(items))
    queries_seen = rows[plan["query"]].astype(str)
    query_names = sorted(set(queries_seen))
    queries = {q: i for i, q in enumerate(query_names)}
    top = float(engagement.max()) if len(engagement) else 0.0
    index = Index(items=items, engagement=engagement / top if top > 0 else engagement, queries=queries)
    retrieval = plan["retrieval"]
    k = min(int(retrieval["factors"]) if retrieval else 0, len(query_names) - 1, len(items) - 1)
    if k >= 1:
        from scipy.sparse import csr_matrix
        from sklearn.decomposition import TruncatedSVD

        query_rows = np.array([queries[q] for q in queries_seen], dtype=np.int64)
        m = csr_matrix((weights, (query_rows, item_rows)), shape=(len(query_names), len(items)))
        svd = TruncatedSVD(n_components=k, random_state=0)
        index.query_factors = svd.fit_transform(m).astype(np.float32)
        index.item_factors = svd.components_.T.astype(np.float32).copy()
    return index


def recall(index: Index, spec: Spec, rows: pd.DataFrame) -> dict[str, float | int]:
    """Of the positive (query, item) events in `rows`, the share whose item
    is among the query's candidates: how much the ranker can still find."""
    plan = spec.config["ranking"]
    n = int(plan["retrieval"]["candidates"] if plan["retrieval"] else plan["candidates"])
    positive = _weights(spec, rows) > 1
    pairs = rows.loc[positive, [plan["query"], plan["item"]]].astype(str)
    found, cache = 0, {}
    for query, item in pairs.itertuples(index=False):
        if query not in cache:
            cache[query] = set(index.candidates(query, n)[0])
        found += item in cache[query]
    return {"candidates": n, "positives": int(len(pairs)), "recall": float(found / len(pairs)) if len(pairs) else 0.0}
