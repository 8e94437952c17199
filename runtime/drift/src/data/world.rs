//! The scaled-down world the drift simulation draws: which source is the
//! row grain (the entity), how many rows each source gets, and the id pools
//! that make joins and window keys meet across sources.
//!
//! **Invariant:** every id field maps to exactly one pool; two fields share a
//! pool when one references the other (transitively) or when a field without
//! `references` has the name of a table's key. Pool sizes are ≥ 1.

use mlspec_ir::{Design, FieldType, Source, SourceKind};
use std::collections::BTreeMap;

/// Rows drawn for the entity source per simulated day unless the command
/// line says otherwise.
pub const DEFAULT_ROWS_PER_DAY: u64 = 10_000;
/// Bounds on the rows of a table (dimension) source after scaling.
const MIN_TABLE_ROWS: f64 = 20.0;
const MAX_TABLE_ROWS: f64 = 200_000.0;

#[derive(Clone, Debug)]
pub struct World {
    /// Index of the source whose rows are scored and labelled.
    pub entity: usize,
    pub rows_per_day: u64,
    /// Simulated rows per real row of the entity source (`rows_per_day` over
    /// its declared daily volume); `None` when the volume is not declared.
    pub scale: Option<f64>,
    /// Rows per day of each stream source, rows of each table source.
    pub rows: Vec<u64>,
    /// (source, field) -> pool id, for id fields that are not a stream key.
    pub pools: BTreeMap<(usize, usize), usize>,
    pub pool_sizes: Vec<u64>,
}

/// A source is a table (drawn once, joined by key) unless it has an event
/// time or is a stream or logs.
pub fn is_table(s: &Source) -> bool {
    s.event_time().is_none() && !matches!(s.kind, Some(SourceKind::Stream | SourceKind::Logs))
}

fn daily_volume(s: &Source) -> Option<f64> {
    match (s.volume_per_s, s.volume) {
        (Some(per_s), _) if per_s > 0.0 => Some(per_s * 86_400.0),
        (_, Some(v)) if v > 0.0 => Some(v),
        _ => None,
    }
}

impl World {
    pub fn new(d: &Design, rows_per_day: u64) -> Option<World> {
        let entity = entity_source(d)?;
        let rows_per_day = rows_per_day.max(1);
        let scale = d.sources.get(entity).and_then(daily_volume).map(|v| rows_per_day as f64 / v);
        let rows = d
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == entity {
                    return rows_per_day;
                }
                let scaled = match (daily_volume(s), scale) {
                    (Some(v), Some(k)) => v * k,
                    _ if is_table(s) => rows_per_day as f64 / 20.0,
                    _ => rows_per_day as f64,
                };
                if is_table(s) {
                    scaled.clamp(MIN_TABLE_ROWS, MAX_TABLE_ROWS).round() as u64
                } else {
                    // Other streams feed windows only: at most twice the entity's rows.
                    scaled.clamp(rows_per_day as f64 / 10.0, 2.0 * rows_per_day as f64).round().max(1.0) as u64
                }
            })
            .collect();
        let mut w = World { entity, rows_per_day, scale, rows, pools: BTreeMap::new(), pool_sizes: Vec::new() };
        w.assign_pools(d);
        Some(w)
    }

    /// The pool of an id field, if it draws from one.
    pub fn pool(&self, source: usize, field: usize) -> Option<usize> {
        self.pools.get(&(source, field)).copied()
    }

    fn assign_pools(&mut self, d: &Design) {
        // The root of a field: follow `references` to the end (bounded, so a
        // reference cycle cannot loop), then a table key with the same name.
        let locate = |source: &str, field: &str| -> Option<(usize, usize)> {
            let si = d.sources.iter().position(|s| s.name == source)?;
            let fi = d.sources.get(si)?.fields.iter().position(|f| f.name == field)?;
            Some((si, fi))
        };
        let mut roots: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
        for (si, s) in d.sources.iter().enumerate() {
            for (fi, f) in s.fields.iter().enumerate() {
                if f.ty != FieldType::Id || (f.key && !is_table(s)) {
                    continue;
                }
                let mut at = (si, fi);
                for _ in 0..d.sources.len() + 1 {
                    let next = d.sources.get(at.0).and_then(|s| s.fields.get(at.1)).and_then(|f| f.references.as_ref());
                    match next.and_then(|r| locate(&r.source, &r.field)) {
                        Some(n) if n != at => at = n,
                        _ => break,
                    }
                }
                let root_field = d.sources.get(at.0).and_then(|s| s.fields.get(at.1));
                if root_field.is_some_and(|f| !f.key) {
                    if let Some(name) = root_field.map(|f| f.name.as_str()) {
                        let keyed = d.sources.iter().enumerate().find_map(|(ti, t)| {
                            let fi = t.fields.iter().position(|f| f.key && f.name == name)?;
                            is_table(t).then_some((ti, fi))
                        });
                        if let Some(k) = keyed {
                            at = k;
                        }
                    }
                }
                roots.insert((si, fi), at);
            }
        }
        let mut pool_of_root: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        // Non-key roots share by field name, so `user_id` in two streams meets.
        let mut pool_of_name: BTreeMap<String, usize> = BTreeMap::new();
        for (&field, &root) in &roots {
            let root_is_key = d.sources.get(root.0).and_then(|s| s.fields.get(root.1)).is_some_and(|f| f.key);
            let name = d.sources.get(root.0).and_then(|s| s.fields.get(root.1)).map(|f| f.name.clone()).unwrap_or_default();
            let next = self.pool_sizes.len();
            let pool = if root_is_key { *pool_of_root.entry(root).or_insert(next) } else { *pool_of_name.entry(name).or_insert(next) };
            if pool == next {
                let size = if root_is_key { self.rows.get(root.0).copied().unwrap_or(1) } else { (self.rows_per_day / 10).max(10) };
                self.pool_sizes.push(size.max(1));
            }
            self.pools.insert(field, pool);
        }
    }
}

/// The target's source, or else the source most features read.
pub fn entity_source(d: &Design) -> Option<usize> {
    if let Some(t) = d.problem.target.as_ref() {
        if let Some(i) = d.sources.iter().position(|s| s.name == t.source) {
            return Some(i);
        }
    }
    let mut reads = vec![0usize; d.sources.len()];
    for f in &d.features {
        for r in &f.reads {
            if let Some(i) = d.sources.iter().position(|s| s.name == r.source) {
                if let Some(c) = reads.get_mut(i) {
                    *c += 1;
                }
            }
        }
    }
    let best = reads.iter().enumerate().max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))?;
    (*best.1 > 0 || !d.sources.is_empty()).then_some(best.0)
}
