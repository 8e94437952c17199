//! Go to definition, find references and workspace symbols, from the
//! symbol index.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use crate::index::Kind;
use lsp_types::{Location, SymbolInformation, SymbolKind, Uri};

pub fn definition(doc: &Analyzed, uri: &Uri, offset: usize) -> Option<Location> {
    let def = doc.index.defs.get(doc.index.at(offset)?)?;
    Some(Location::new(uri.clone(), LineMap::new(&doc.text).range(def.name_span)))
}

pub fn references(doc: &Analyzed, uri: &Uri, offset: usize, with_declaration: bool) -> Vec<Location> {
    let Some(id) = doc.index.at(offset) else { return Vec::new() };
    let map = LineMap::new(&doc.text);
    doc.index.references(id, with_declaration).into_iter().map(|span| Location::new(uri.clone(), map.range(span))).collect()
}

/// Workspace symbols over the open documents: every declaration whose
/// qualified name contains `query` (ignoring case), in document order.
pub fn workspace_symbols<'a>(documents: impl Iterator<Item = (Uri, &'a Analyzed)>, query: &str) -> Vec<SymbolInformation> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for (uri, doc) in documents {
        let map = LineMap::new(&doc.text);
        for def in doc.index.defs.iter().filter(|d| d.qualified.to_lowercase().contains(&query)) {
            let container = def.parent.and_then(|p| doc.index.defs.get(p)).map(|p| p.name.clone());
            #[allow(deprecated)] // `deprecated` is a required field of the struct.
            out.push(SymbolInformation {
                name: def.qualified.clone(),
                kind: symbol_kind(def.kind),
                tags: None,
                deprecated: None,
                location: Location::new(uri.clone(), map.range(def.name_span)),
                container_name: container,
            });
        }
    }
    out
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Feature => SymbolKind::FUNCTION,
        Kind::Model => SymbolKind::CLASS,
        Kind::Source => SymbolKind::STRUCT,
        Kind::Serving | Kind::System => SymbolKind::MODULE,
        Kind::Stage => SymbolKind::METHOD,
        Kind::Metric => SymbolKind::PROPERTY,
        Kind::Experiment | Kind::Scenario => SymbolKind::EVENT,
        Kind::Field => SymbolKind::FIELD,
    }
}
