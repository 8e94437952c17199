//! The checker's diagnostics as LSP diagnostics: code, a link to the
//! code's explanation, the help in the message, labelled spans as related
//! information.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};
use mlspec_diag::{Diagnostic, Severity};

/// Where the explanations are: `docs/diagnostics.md` of mlspec, as an
/// address the client can open (`initializationOptions.diagnosticsUrl`).
/// The anchor is the lowercase code, as the generated page writes it.
pub fn explanation_link(base: &str, code: &str) -> Option<Uri> {
    format!("{base}#{}", code.to_ascii_lowercase()).parse().ok()
}

pub fn to_lsp(doc: &Analyzed, uri: &Uri, diagnostics_url: &str) -> Vec<lsp_types::Diagnostic> {
    let map = LineMap::new(&doc.text);
    doc.analysis.diagnostics.iter().map(|d| one(d, &map, uri, diagnostics_url)).collect()
}

fn one(d: &Diagnostic, map: &LineMap<'_>, uri: &Uri, diagnostics_url: &str) -> lsp_types::Diagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation { location: Location::new(uri.clone(), map.range(l.span)), message: l.message.clone() })
        .collect();
    lsp_types::Diagnostic {
        range: map.range(d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: explanation_link(diagnostics_url, d.code).map(|href| CodeDescription { href }),
        source: Some("mlspec".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
