//! Document symbols: the outline of a spec by block — the system; its
//! sources with their fields, features, models, servings with their
//! stages, monitors, experiments, scenarios and the other blocks.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use crate::index::{body, first_name};
use lsp_types::{DocumentSymbol, SymbolKind};
use mlspec_diag::Span;
use mlspec_syntax::ast::{Stmt, StmtKind};

pub fn document_symbols(doc: &Analyzed) -> Vec<DocumentSymbol> {
    let map = LineMap::new(&doc.text);
    let out = Outline { doc, map };
    doc.file.stmts.iter().filter(|s| s.head.name == "system").map(|system| out.system(system)).collect()
}

struct Outline<'a> {
    doc: &'a Analyzed,
    map: LineMap<'a>,
}

impl Outline<'_> {
    fn system(&self, stmt: &Stmt) -> DocumentSymbol {
        let children = body(stmt).iter().filter(|s| !matches!(s.kind, StmtKind::Error)).map(|s| self.block(s)).collect();
        self.named(stmt, SymbolKind::MODULE, Some("system"), children)
    }

    fn block(&self, stmt: &Stmt) -> DocumentSymbol {
        let entries = |kind: SymbolKind, keep: fn(&Stmt) -> bool| -> Vec<DocumentSymbol> {
            body(stmt).iter().filter(|s| keep(s)).map(|s| self.entry(s, kind)).collect()
        };
        match stmt.head.name.as_str() {
            "source" => {
                let fields = body(stmt)
                    .iter()
                    .filter(|s| s.head.name == "schema")
                    .flat_map(body)
                    .filter(|f| matches!(f.kind, StmtKind::Plain { .. }))
                    .map(|f| self.entry(f, SymbolKind::FIELD))
                    .collect();
                self.named(stmt, SymbolKind::STRUCT, Some("source"), fields)
            }
            "features" => {
                let features = entries(SymbolKind::FUNCTION, |s| matches!(s.kind, StmtKind::Assign(_)));
                self.named(stmt, SymbolKind::NAMESPACE, None, features)
            }
            "metrics" => {
                let metrics = entries(SymbolKind::PROPERTY, |s| matches!(s.kind, StmtKind::Plain { .. }));
                self.named(stmt, SymbolKind::NAMESPACE, None, metrics)
            }
            "monitors" => {
                let monitors = entries(SymbolKind::EVENT, |s| matches!(s.kind, StmtKind::Plain { .. }));
                self.named(stmt, SymbolKind::NAMESPACE, None, monitors)
            }
            "serving" => {
                let stages = body(stmt)
                    .iter()
                    .filter(|s| s.head.name == "stage")
                    .map(|s| self.named(s, SymbolKind::METHOD, Some("stage"), Vec::new()));
                self.named(stmt, SymbolKind::MODULE, Some("serving"), stages.collect())
            }
            "model" => self.named(stmt, SymbolKind::CLASS, Some("model"), Vec::new()),
            "experiment" => self.named(stmt, SymbolKind::EVENT, Some("experiment"), Vec::new()),
            "scenario" => self.named(stmt, SymbolKind::EVENT, Some("scenario"), Vec::new()),
            _ => self.named(stmt, SymbolKind::OBJECT, None, Vec::new()),
        }
    }

    /// `KEYWORD NAME { ... }` is shown as NAME with KEYWORD as its detail
    /// (when `keyword` is given and the name is there), other statements
    /// by their head.
    fn named(&self, stmt: &Stmt, kind: SymbolKind, keyword: Option<&str>, children: Vec<DocumentSymbol>) -> DocumentSymbol {
        let name = keyword.and_then(|_| first_name(stmt));
        let (label, selection) = match name {
            Some(n) => (n.name.clone(), n.span),
            None => (stmt.head.name.clone(), stmt.head.span),
        };
        self.symbol(label, keyword.filter(|_| name.is_some()).map(str::to_string), kind, stmt.span, selection, children)
    }

    /// An entry of a block whose entries the user names: its head, with the
    /// rest of its line as the detail.
    fn entry(&self, stmt: &Stmt, kind: SymbolKind) -> DocumentSymbol {
        let line = self.doc.first_line(stmt.span);
        let detail = line.strip_prefix(stmt.head.name.as_str()).map(|rest| rest.trim_start_matches([':', '=', ' ']).trim().to_string());
        self.symbol(stmt.head.name.clone(), detail.filter(|d| !d.is_empty()), kind, stmt.span, stmt.head.span, Vec::new())
    }

    fn symbol(
        &self,
        name: String,
        detail: Option<String>,
        kind: SymbolKind,
        span: Span,
        selection: Span,
        children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        // The selection must lie inside the range: clamp it there.
        let selection = Span::new(selection.start.clamp(span.start, span.end), selection.end.clamp(span.start, span.end));
        #[allow(deprecated)] // `deprecated` is a required field of the struct.
        DocumentSymbol {
            name: if name.is_empty() { "?".to_string() } else { name },
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: self.map.range(span),
            selection_range: self.map.range(selection),
            children: Some(children).filter(|c| !c.is_empty()),
        }
    }
}
