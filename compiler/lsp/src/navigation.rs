//! Go to definition and find references, from the symbol index.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{Location, Uri};

pub fn definition(doc: &Analyzed, uri: &Uri, offset: usize) -> Option<Location> {
    let def = doc.index.defs.get(doc.index.at(offset)?)?;
    Some(Location::new(uri.clone(), LineMap::new(&doc.text).range(def.name_span)))
}

pub fn references(doc: &Analyzed, uri: &Uri, offset: usize, with_declaration: bool) -> Vec<Location> {
    let Some(id) = doc.index.at(offset) else { return Vec::new() };
    let map = LineMap::new(&doc.text);
    doc.index.references(id, with_declaration).into_iter().map(|span| Location::new(uri.clone(), map.range(span))).collect()
}
