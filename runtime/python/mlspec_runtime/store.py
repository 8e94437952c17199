"""The online feature store: window state per entity, and entity rows of the
joined tables. Two implementations with one interface:

- `RedisStore`, when the design declares `feature_store { online redis }`:
  the address is `REDIS_URL` (default `redis://127.0.0.1:6379/0`); window
  tiles live in one hash per (state, entity), updated by a Lua script per
  event, and expire once older than their window; an entity row is one JSON
  string that expires after the declared `ttl`. A read of a whole
  micro-batch is one round trip (one pipeline: a Lua read of the tiles in
  range, and the rows).
- `MemoryStore` otherwise: the same state in this process, bounded in
  bytes, loaded from the snapshot `materialize.py` writes
  (`artifacts/online_store.json`).

**Invariant:** state changes only through `ingest` and `put_rows`, which
the trusted paths call (`materialize.py`, a source's stream consumer);
serving only reads, so no caller can change or evict another entity's
features.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mlspec_runtime import features as f
from mlspec_runtime.data import plain
from mlspec_runtime.spec import Spec
from mlspec_runtime.windows import TILES, State, Summary, numeric, states

SNAPSHOT = "online_store.json"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MEMORY_BYTES = 256 * 1024 * 1024
TILE_BYTES = 200  # what a tile costs in MemoryStore, roughly, for its bound


class StoreError(Exception):
    """The online store could not answer (down, timed out)."""


# (state, entity, first tile, last tile) and (table source, key value)
WindowRead = tuple[State, str, int, int]
RowRead = tuple[str, str]


class OnlineStore(Protocol):
    kind: str

    def ingest(self, state: State, events: Iterable[tuple[str, Any, int]]) -> None:
        """Adds events (entity, value, time in ns) to a window state."""

    def put_rows(self, source: str, key: str, rows: Iterable[dict[str, Any]], ttl_s: float | None) -> None:
        """Stores entity rows of a table source under their `key` field."""

    def read(self, windows: Sequence[WindowRead], rows: Sequence[RowRead]) -> tuple[list[Summary], list[dict[str, Any] | None]]:
        """The summaries of the tiles in range, and the rows (None if absent)."""

    def ping(self) -> bool: ...

    def clear(self) -> None: ...


def _tile_of(state: State, t: int) -> tuple[int, int]:
    """The tile of time `t`, and `t`'s offset in it (small enough for Lua's doubles)."""
    return t // state.tile_ns, t % state.tile_ns


class MemoryStore:
    """The online store in this process (no online store declared)."""

    kind = "memory"

    def __init__(self, max_bytes: int = MEMORY_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        # (state name, entity) -> tile -> Summary; oldest written first
        self.tiles: OrderedDict[tuple[str, str], dict[int, Summary]] = OrderedDict()
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}

    def ingest(self, state: State, events: Iterable[tuple[str, Any, int]]) -> None:
        name = state.name()
        for entity, value, t in events:
            tile, _ = _tile_of(state, t)
            k = (name, entity)
            tiles = self.tiles.pop(k, None) or {}
            self.tiles[k] = tiles
            if tile not in tiles:
                first = tile - TILES + 1
                for old in [i for i in tiles if i < first]:
                    del tiles[old]
                    self.bytes -= TILE_BYTES
                tiles[tile] = Summary()
                self.bytes += TILE_BYTES
            tiles[tile].add(value, t, state.distinct)
            while self.bytes > self.max_bytes and len(self.tiles) > 1:
                _, evicted = self.tiles.popitem(last=False)
                self.bytes -= TILE_BYTES * len(evicted)

    def put_rows(self, source: str, key: str, rows: Iterable[dict[str, Any]], ttl_s: float | None) -> None:
        for row in rows:
            if f.present(row.get(key)):
                self.rows[(source, str(row[key]))] = row

    def read(self, windows, rows):
        out = []
        for state, entity, first, last in windows:
            s = Summary()
            for tile, summary in self.tiles.get((state.name(), entity), {}).items():
                if first <= tile <= last:
                    s.merge(summary)
            out.append(s)
        return out, [self.rows.get(r) for r in rows]

    def ping(self) -> bool:
        return True

    def clear(self) -> None:
        self.tiles.clear()
        self.rows.clear()
        self.bytes = 0

    def save(self, path: Path) -> None:
        tiles = [[name, entity, [[tile, _summary_json(s)] for tile, s in sorted(ts.items())]] for (name, entity), ts in self.tiles.items()]
        rows = [[source, key, row] for (source, key), row in sorted(self.rows.items())]
        path.write_text(json.dumps({"tiles": tiles, "rows": rows}, default=_json_default))

    @classmethod
    def load(cls, path: Path) -> MemoryStore:
        store = cls()
        data = json.loads(path.read_text())
        for name, entity, tiles in data["tiles"]:
            store.tiles[(name, entity)] = {int(tile): _summary_of(s) for tile, s in tiles}
            store.bytes += TILE_BYTES * len(tiles)
        for source, key, row in data["rows"]:
            store.rows[(source, key)] = row
        return store


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp | np.datetime64):
        return str(pd.Timestamp(v).isoformat())
    if isinstance(v, tuple | np.ndarray):
        return list(v)
    return str(v)


def _summary_json(s: Summary) -> list[Any]:
    low = s.low if math.isfinite(s.low) else None
    high = s.high if math.isfinite(s.high) else None
    return [s.count, s.numbers, s.total, low, high, s.last_t, s.last, sorted(s.distinct)]


def _summary_of(v: list[Any]) -> Summary:
    count, numbers, total, low, high, last_t, last, distinct = v
    return Summary(
        count, numbers, total, math.inf if low is None else low, -math.inf if high is None else high, last_t, last, set(distinct)
    )


# One event into one tile: counts, numeric aggregates, last value by time,
# distinct values; a new tile first drops the tiles the window has left.
# KEYS[1] the hash; ARGV: tile, offset of t in the tile, number ('' if
# none), last value (JSON), distinct value ('' if not kept), first tile to
# keep, expiry in ms.
INGEST_LUA = """
local k, tile = KEYS[1], ARGV[1]
if redis.call('HEXISTS', k, tile .. ':c') == 0 then
  local first = tonumber(ARGV[6])
  for _, name in ipairs(redis.call('HKEYS', k)) do
    local t = tonumber(string.match(name, '^(-?%d+):'))
    if t and t < first then redis.call('HDEL', k, name) end
  end
end
redis.call('HINCRBY', k, tile .. ':c', 1)
if ARGV[3] ~= '' then
  local v = tonumber(ARGV[3])
  redis.call('HINCRBY', k, tile .. ':m', 1)
  redis.call('HINCRBYFLOAT', k, tile .. ':s', ARGV[3])
  local lo = redis.call('HGET', k, tile .. ':n')
  if not lo or v < tonumber(lo) then redis.call('HSET', k, tile .. ':n', ARGV[3]) end
  local hi = redis.call('HGET', k, tile .. ':x')
  if not hi or v > tonumber(hi) then redis.call('HSET', k, tile .. ':x', ARGV[3]) end
end
local at = redis.call('HGET', k, tile .. ':t')
if not at or tonumber(ARGV[2]) >= tonumber(at) then
  redis.call('HSET', k, tile .. ':t', ARGV[2], tile .. ':l', ARGV[4])
end
if ARGV[5] ~= '' then redis.call('HSET', k, tile .. ':d:' .. ARGV[5], 1) end
redis.call('PEXPIRE', k, ARGV[7])
return 1
"""

# Each hash's tiles in range, merged as `Summary.merge` would: KEYS are the
# hashes, ARGV the first and last tile of each, in order. Returns per key
# [count, numbers, total, low, high, last tile, last offset, last value,
# distinct members...], numbers as %.17g text (a Lua number in a reply
# would be cut to an integer), "" for none.
READ_LUA = """
local function num(x) return string.format('%.17g', x) end
local out = {}
for i, k in ipairs(KEYS) do
  local first, last = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local fields = redis.call('HGETALL', k)
  local count, numbers, total, low, high = 0, 0, 0, nil, nil
  local at, value, distinct = {}, {}, {}
  for j = 1, #fields, 2 do
    local t, kind, rest = string.match(fields[j], '^(-?%d+):(%a)(.*)$')
    t = tonumber(t)
    if t and t >= first and t <= last then
      local v = fields[j + 1]
      if kind == 'c' then count = count + tonumber(v)
      elseif kind == 'm' then numbers = numbers + tonumber(v)
      elseif kind == 's' then total = total + tonumber(v)
      elseif kind == 'n' then local x = tonumber(v); if low == nil or x < low then low = x end
      elseif kind == 'x' then local x = tonumber(v); if high == nil or x > high then high = x end
      elseif kind == 't' then at[t] = tonumber(v)
      elseif kind == 'l' then value[t] = v
      elseif kind == 'd' then distinct[#distinct + 1] = string.sub(rest, 2)
      end
    end
  end
  local lt = nil
  for t, _ in pairs(at) do if lt == nil or t > lt then lt = t end end
  local reply = {num(count), num(numbers), num(total), low and num(low) or '', high and num(high) or '',
    lt and num(lt) or '', lt and num(at[lt]) or '', lt and (value[lt] or 'null') or ''}
  for _, d in ipairs(distinct) do reply[#reply + 1] = d end
  out[i] = reply
end
return out
"""


class RedisStore:
    """The online store in Redis (`feature_store { online redis }`)."""

    kind = "redis"

    def __init__(self, url: str, namespace: str, timeout_s: float = 0.5):
        import redis

        self.url = url
        self.ns = namespace
        self.client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
        self._shas: dict[str, str] = {}

    def _sha(self, script: str) -> str:
        """The script's SHA, loaded into Redis once (and again after a
        restart flushed it: see `_scripted`). A pipeline then sends EVALSHA
        only, where redis-py's `Script` would first ask `SCRIPT EXISTS` on
        every execute: one round trip more per batch."""
        sha = self._shas.get(script)
        if sha is None:
            sha = self._shas[script] = str(self.client.script_load(script))
        return sha

    def _scripted(self, run):
        """`run()`, once more with the scripts reloaded if Redis lost them."""
        import redis

        try:
            return run()
        except redis.exceptions.NoScriptError:
            self._shas.clear()
            return run()

    def _window_key(self, state: State, entity: str) -> str:
        return f"{self.ns}:w:{state.name()}:{entity}"

    def _row_key(self, source: str, key: str) -> str:
        return f"{self.ns}:e:{source}:{key}"

    def ingest(self, state: State, events: Iterable[tuple[str, Any, int]]) -> None:
        chunk: list[tuple[str, Any, int]] = []
        for event in events:
            chunk.append(event)
            if len(chunk) >= 1000:
                self._ingest_chunk(state, chunk)
                chunk = []
        if chunk:
            self._ingest_chunk(state, chunk)

    def _ingest_chunk(self, state: State, events: list[tuple[str, Any, int]]) -> None:
        # A lost script fails every EVALSHA of the pipeline: none applied, so a retry is safe.
        self._scripted(lambda: self._ingest_pipeline(state, events))

    def _ingest_pipeline(self, state: State, events: list[tuple[str, Any, int]]) -> None:
        expire_ms = int(state.window_s * 1000 + state.tile_ns / 1e6) + 1
        sha = self._sha(INGEST_LUA)
        pipe = self.client.pipeline(transaction=False)
        for entity, value, t in events:
            tile, offset = _tile_of(state, t)
            v = numeric(value)
            number = repr(v) if v is not None else ""
            last = json.dumps(value, default=_json_default)
            distinct = str(value) if state.distinct and f.present(value) else ""
            args = (str(tile), str(offset), number, last, distinct, str(tile - TILES + 1), str(expire_ms))
            pipe.evalsha(sha, 1, self._window_key(state, entity), *args)
        self._execute(pipe)

    def put_rows(self, source: str, key: str, rows: Iterable[dict[str, Any]], ttl_s: float | None) -> None:
        pipe = self.client.pipeline(transaction=False)
        pending = 0
        for row in rows:
            if not f.present(row.get(key)):
                continue
            name = self._row_key(source, str(row[key]))
            pipe.set(name, json.dumps(row, default=_json_default), px=int(ttl_s * 1000) if ttl_s else None)
            pending += 1
            if pending >= 1000:
                self._execute(pipe)
                pending = 0
        if pending:
            self._execute(pipe)

    def read(self, windows, rows):
        import redis

        def once() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            if windows:
                keys = [self._window_key(state, entity) for state, entity, _, _ in windows]
                args = [x for _, _, first, last in windows for x in (first, last)]
                pipe.evalsha(self._sha(READ_LUA), len(keys), *keys, *args)
            if rows:
                pipe.mget([self._row_key(source, key) for source, key in rows])
            return pipe.execute()

        try:
            replies = self._scripted(once)
        except redis.RedisError as e:
            raise StoreError(type(e).__name__) from e
        summaries = [_summary_of_reply(r, state.tile_ns) for r, (state, *_) in zip(replies[0], windows, strict=True)] if windows else []
        found = [json.loads(r) if r is not None else None for r in replies[-1]] if rows else []
        return summaries, found

    def _execute(self, pipe) -> None:
        import redis

        try:
            pipe.execute()
        except redis.exceptions.NoScriptError:
            raise
        except redis.RedisError as e:
            raise StoreError(f"{type(e).__name__}: {e}") from e

    def ping(self) -> bool:
        import redis

        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def clear(self) -> None:
        import redis

        try:
            for name in self.client.scan_iter(match=f"{self.ns}:*", count=1000):
                self.client.delete(name)
        except redis.RedisError as e:
            raise StoreError(f"{type(e).__name__}: {e}") from e


# Serving keeps what it read from the store this long: a ranking request's
# candidates (and the next requests') share most of their items' windows
# and rows. Features may be this much older than the store; MLSPEC_READ_CACHE_S
# sets it (0: off).
READ_CACHE_S = 1.0
READ_CACHE_BYTES = 8 * 1024 * 1024
# What an entry costs in this process beyond its text (measured with
# tracemalloc: the key tuple, the dict slot, a Summary and its set).
SUMMARY_BYTES = 800
ROW_BYTES = 400
VALUE_BYTES = 120


class ReadCache:
    """An `OnlineStore` that keeps recent reads of another for `ttl_s`.

    **Invariants:** it holds at most `max_bytes` (estimated: keys, numbers
    and text); an entry is never served after `ttl_s`; any write through it
    (`ingest`, `put_rows`, `clear`) empties it first, so a reader that
    writes sees its writes. Safe for concurrent batches (one lock).
    """

    def __init__(self, inner: OnlineStore, ttl_s: float = READ_CACHE_S, max_bytes: int = READ_CACHE_BYTES):
        self.inner, self.ttl_s, self.max_bytes = inner, ttl_s, max_bytes
        self.kind = inner.kind
        self.entries: OrderedDict[tuple, tuple[float, Any, int]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def _get(self, key: tuple, now: float) -> tuple[bool, Any]:
        hit = self.entries.get(key)
        return (True, hit[1]) if hit is not None and hit[0] > now else (False, None)

    def _put(self, key: tuple, value: Any, size: int, expires: float) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old[2]
        self.entries[key] = (expires, value, size)
        self.bytes += size
        while self.bytes > self.max_bytes and self.entries:
            self.bytes -= self.entries.popitem(last=False)[1][2]

    def read(self, windows: Sequence[WindowRead], rows: Sequence[RowRead]) -> tuple[list[Summary], list[dict[str, Any] | None]]:
        if self.ttl_s <= 0:
            return self.inner.read(windows, rows)
        now = time.monotonic()
        wkeys = [("w", state.name(), entity, first, last) for state, entity, first, last in windows]
        rkeys = [("r", source, key) for source, key in rows]
        with self.lock:
            got = [self._get(k, now) for k in wkeys + rkeys]
        summaries: list[Any] = [v for _, v in got[: len(wkeys)]]
        found: list[Any] = [v for _, v in got[len(wkeys) :]]
        miss_w = [i for i, (hit, _) in enumerate(got[: len(wkeys)]) if not hit]
        miss_r = [i for i, (hit, _) in enumerate(got[len(wkeys) :]) if not hit]
        if miss_w or miss_r:
            new_w, new_r = self.inner.read([windows[i] for i in miss_w], [rows[i] for i in miss_r])
            expires = now + self.ttl_s
            with self.lock:
                for i, summary in zip(miss_w, new_w, strict=True):
                    summaries[i] = summary
                    self._put(
                        wkeys[i], summary, SUMMARY_BYTES + len(wkeys[i][2]) + sum(len(d) + VALUE_BYTES for d in summary.distinct), expires
                    )
                for i, row in zip(miss_r, new_r, strict=True):
                    found[i] = row
                    size = ROW_BYTES + len(rkeys[i][2]) + (sum(len(str(v)) + VALUE_BYTES for v in row.values()) if row else 0)
                    self._put(rkeys[i], row, size, expires)
        return summaries, found

    def _forget(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0

    def ingest(self, state: State, events: Iterable[tuple[str, Any, int]]) -> None:
        self._forget()
        self.inner.ingest(state, events)

    def put_rows(self, source: str, key: str, rows: Iterable[dict[str, Any]], ttl_s: float | None) -> None:
        self._forget()
        self.inner.put_rows(source, key, rows, ttl_s)

    def ping(self) -> bool:
        return self.inner.ping()

    def clear(self) -> None:
        self._forget()
        self.inner.clear()


def _summary_of_reply(reply: list[bytes], tile_ns: int) -> Summary:
    """The `Summary` a READ_LUA reply holds for one window."""
    count, numbers, total, low, high, tile, offset, last, *distinct = reply
    return Summary(
        count=int(float(count)),
        numbers=int(float(numbers)),
        total=float(total),
        low=float(low) if low else math.inf,
        high=float(high) if high else -math.inf,
        last_t=int(float(tile)) * tile_ns + int(float(offset)) if tile else None,
        last=json.loads(last) if tile else None,
        distinct={d.decode() for d in distinct},
    )


def namespace(spec: Spec) -> str:
    return f"mlspec:{spec.config['spec_name']}:v1"


def declared(spec: Spec) -> dict[str, Any]:
    """The declared online store: {"kind": "redis" | "memory", "ttl_s": ...}."""
    return dict(spec.config.get("online_store") or {"kind": "memory", "ttl_s": None})


def open_store(spec: Spec, artifacts: Path | None = None, url: str | None = None) -> OnlineStore:
    """The design's online store: Redis at `REDIS_URL`, or the in-process
    store from the snapshot in `artifacts` (empty when there is none)."""
    if declared(spec)["kind"] == "redis":
        return RedisStore(url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL, namespace(spec))
    path = (artifacts or Path("artifacts")) / SNAPSHOT
    return MemoryStore.load(path) if path.exists() else MemoryStore()


def table_sources(spec: Spec) -> list[tuple[str, str]]:
    """(source, key field) of each table joined to the scored rows."""
    return [(j["source"], j["right"]) for j in spec.config["joins"]]


def materialize(spec: Spec, frames: Mapping[str, pd.DataFrame], store: OnlineStore) -> dict[str, int]:
    """Loads the store from the offline data: the joined tables' rows, and
    every window state replayed from its source's events in time order.
    Returns how many rows and events each source gave."""
    counts: dict[str, int] = {}
    ttl = declared(spec).get("ttl_s")
    for source, key in table_sources(spec):
        frame = frames[source].drop_duplicates(key, keep="last")
        records = [{k: plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
        store.put_rows(source, key, records, ttl)
        counts[source] = len(records)
    for state in states(spec.config):
        events = frames[state.source]
        tcol = spec.sources[state.source]["time"]
        times = f.nanos(events[tcol].to_numpy()) if tcol else np.zeros(len(events), dtype="int64")
        order = np.argsort(times, kind="stable")
        keys = f.text(events[state.by].to_numpy())[order]
        values = events[state.field].to_numpy(dtype=object)[order] if state.field else np.full(len(events), None, dtype=object)
        ts = times[order]
        ok = [i for i in range(len(ts)) if keys[i] is not None and ts[i] != np.iinfo("int64").min]
        store.ingest(state, ((keys[i], plain(values[i]), int(ts[i])) for i in ok))
        counts[state.source] = max(counts.get(state.source, 0), len(ok))
    return counts
