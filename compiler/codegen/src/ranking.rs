//! How a ranking or recommendation design is served: one request names the
//! query (a user, a search), the service finds candidates (the declared
//! retrieval stage, else an index of popular items, or ids the caller
//! sends) and answers them ranked by the ranking model.
//!
//! Which fields play which part (the generated README says which fields are
//! used):
//! - the **query** is the declared `problem { group SOURCE.FIELD }`; without
//!   it, the old guess, the first id field of the scored event that is not
//!   its key ([`mlspec_ir::facts::query_group`]; the checker warns, W0104).
//!   It is also `rank_group`: ranking metrics are computed per query;
//! - the **item** is the first other id field that references a table (the
//!   catalogue), else the first other id field;
//! - event fields that share a name with a catalogue field are the
//!   candidate's attributes (`impressions.author_id` from `posts.author_id`)
//!   and come from the catalogue row of each candidate, not from the request.

use super::view::{RankingConfig, RetrievalConfig};
use mlspec_ir::facts::query_group;
use mlspec_ir::vocab::ModelStage;
use mlspec_ir::{Design, FieldType, Scope, SourceKind};
use std::collections::BTreeMap;

/// Candidates ranked when no model declares `candidates`.
const DEFAULT_CANDIDATES: u64 = 100;
/// Items answered when no offline metric declares `@K`.
const DEFAULT_LIMIT: u64 = 10;
/// Factors of the retrieval index (a truncated SVD of query × item engagement).
const RETRIEVAL_FACTORS: u64 = 32;

/// The query column (`source.field`) of a ranking or recommendation task,
/// and whether the spec declares it (`group`) rather than mlspec guessing it.
pub fn query_column(design: &Design) -> Option<(String, bool)> {
    let group = query_group(design)?;
    Some((group.field().to_string(), group.declared()))
}

/// The comment `spec_config.py` carries above `CONFIG` for a ranking or
/// recommendation design: where `rank_group` comes from. Column names are
/// checked identifiers, so the text is a valid one-line Python comment.
pub fn rank_group_comment(design: &Design) -> Option<String> {
    let (column, declared) = query_column(design)?;
    Some(if declared {
        format!("rank_group `{column}`: the spec's `group`; ranking metrics and training group rows by it")
    } else {
        let source = column.split_once('.').map_or(column.as_str(), |(s, _)| s);
        format!(
            "rank_group `{column}`: guessed, as the spec declares no `group` (the first id field of `{source}` that is not its key); \
             ranking metrics and training group rows by it"
        )
    })
}

/// The ranking plan for a realtime ranking or recommendation design, with
/// notes on what stands in for what. None for other tasks.
pub fn plan(design: &Design, base: &str, main_model: &str, notes: &mut Vec<String>) -> Option<RankingConfig> {
    let (query, _) = query_column(design)?;
    let src = design.source(base)?;
    let query_field = query.split_once('.').map_or("", |(_, f)| f);
    let others: Vec<&mlspec_ir::Field> = src.fields.iter().filter(|f| f.ty == FieldType::Id && !f.key && f.name != query_field).collect();
    let references_table = |f: &&&mlspec_ir::Field| {
        f.references.as_ref().is_some_and(|r| design.source(&r.source).is_some_and(|s| s.kind == Some(SourceKind::Table)))
    };
    let item_field = *others.iter().find(references_table).or(others.first())?;
    let item = format!("{base}.{}", item_field.name);
    let catalogue = item_field.references.as_ref().and_then(|r| design.source(&r.source).map(|s| (s, r.field.clone())));
    let mut from_catalogue = BTreeMap::new();
    if let Some((table, key)) = &catalogue {
        for f in &src.fields {
            if f.key || f.label || f.name == item_field.name || f.name == query_field || src.event_time().is_some_and(|t| t.name == f.name)
            {
                continue;
            }
            if table.fields.iter().any(|t| t.name == f.name && t.name != *key) {
                from_catalogue.insert(format!("{base}.{}", f.name), format!("{}.{}", table.name, f.name));
            }
        }
    }
    let ranker = design.models.iter().find(|m| m.name == main_model);
    let retriever = design.models.iter().find(|m| m.stage == Some(ModelStage::Retrieval));
    let declared = |m: Option<&mlspec_ir::Model>| m.and_then(|m| m.candidates).map(|c| c.round().max(1.0) as u64);
    let candidates = declared(ranker).or(declared(retriever)).unwrap_or(DEFAULT_CANDIDATES);
    let limit = design
        .metrics
        .iter()
        .filter(|m| m.scope == Scope::Offline)
        .filter_map(|m| m.k)
        .max()
        .map_or(DEFAULT_LIMIT, u64::from)
        .clamp(1, candidates);
    let retrieval = retriever.map(|m| {
        notes.push(format!(
            "model `{}` ({}, retrieval): candidates come from a truncated SVD of the query × item engagement matrix \
             ({RETRIEVAL_FACTORS} factors, exact inner-product search), built at training time",
            m.name,
            m.kind.as_str()
        ));
        RetrievalConfig {
            model: m.name.clone(),
            kind: m.kind.as_str(),
            candidates: declared(Some(m)).unwrap_or(candidates),
            factors: RETRIEVAL_FACTORS,
        }
    });
    Some(RankingConfig {
        query,
        item,
        catalogue: catalogue.as_ref().map(|(s, _)| s.name.clone()),
        catalogue_key: catalogue.map(|(_, k)| k),
        from_catalogue,
        candidates,
        limit,
        retrieval,
    })
}
