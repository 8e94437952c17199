//! The query group of a ranking or recommendation design (`problem { group
//! SOURCE.FIELD }`): the id that groups rows into one ranked list, which
//! per-query metrics, the generated training and the drift simulation read.
//!
//! - a declared group resolves to a field (E0203, E0204), only for a task
//!   that ranks (E0411), and is a non-key `id` field of the target's source
//!   (E0319);
//! - a ranking or recommendation task without one is W0104: mlspec then
//!   guesses ([`mlspec_ir::facts::guessed_query_group`]), and the guess
//!   follows the order of the schema. The fix is attached only when the
//!   guess is the one candidate (below), so applying it changes nothing the
//!   design does.

use super::args::Diags;
use super::resolve;
use mlspec_diag::{Diagnostic, Fix};
use mlspec_ir::facts::{guessed_query_group, task_ranks};
use mlspec_ir::{Design, Draft, FieldType, Source};

pub fn check(d: &Design<Draft>, diags: &mut Diags) {
    let Some(p) = d.known_problem() else { return };
    let task = d.known_task();
    let target_src = d.target().and_then(|t| d.source(&t.source));
    match &p.group {
        Some(g) => {
            if let Some(task) = task.filter(|t| !task_ranks(*t)) {
                diags.push(
                    Diagnostic::new(
                        "E0411",
                        g.span,
                        format!("`group` applies to ranking and recommendation tasks, not `{}`", task.as_str()),
                    )
                    .help("remove `group`: only a ranked list is evaluated per query"),
                );
                return;
            }
            let Some(r) = resolve::field(d, g, diags) else { return };
            let Some(f) = d.field(&r) else { return };
            let wrong = if f.ty != FieldType::Id {
                Some(format!("the query group `{g}` has type `{}`, not `id`", f.ty.name()))
            } else if f.key {
                Some(format!("the query group `{g}` is the key of `{}`: every row would be a list of one", g.source))
            } else {
                target_src
                    .filter(|s| s.name != g.source)
                    .map(|s| format!("the query group `{g}` is not a field of `{}`, the target's source", s.name))
            };
            if let Some(message) = wrong {
                let help = match target_src.map(candidates).as_deref() {
                    Some([]) | None => "group by an `id` field of the target's source that names the request or search".to_string(),
                    Some(c) => format!(
                        "group by an `id` field of the target's source that names the request or search: {}",
                        c.iter().map(|f| format!("`{}.{f}`", target_src.map_or("", |s| s.name.as_str()))).collect::<Vec<_>>().join(", ")
                    ),
                };
                diags.push(Diagnostic::new("E0319", g.span, message).label(f.span, "declared here").help(help));
            }
        }
        None if task.is_some_and(task_ranks) => {
            let task = task.map_or("ranking", |t| t.as_str());
            let d0 = Diagnostic::new("W0104", p.span, format!("the `{task}` task declares no query `group`"));
            let Some(guess) = guessed_query_group(d) else {
                diags.push(d0.help(
                    "declare the id that groups rows into one ranked list: `group SOURCE.FIELD`, an `id` field of the target's source",
                ));
                return;
            };
            let mut d0 = d0.help(format!(
                "declare the id that groups rows into one ranked list, e.g. `group {guess}`: mlspec now takes `{guess}`, \
                 the first `id` field of `{}` that is not its key, and that guess changes when the schema is reordered",
                guess.source
            ));
            let only = target_src.map(candidates).is_some_and(|c| c == [guess.field.as_str()]);
            if let (true, Some(t)) = (only, d.target()) {
                d0 = d0.fix(Fix::insert(format!("declare `group {guess}`"), t.span.end, format!("; group {guess}")));
            }
            diags.push(d0);
        }
        None => {}
    }
}

/// The fields of the target's source that could name a query: its `id`
/// fields that are not its key and do not reference another source (those
/// are the ranked item, or the item's attributes).
fn candidates(s: &Source) -> Vec<&str> {
    s.fields.iter().filter(|f| f.ty == FieldType::Id && !f.key && f.references.is_none()).map(|f| f.name.as_str()).collect()
}
