//! Signature help inside a feature function's call: its parameters (from
//! the function's signature row, the one the checker types calls with) and
//! which one the cursor is in.

use crate::words::is_word_char;
use lsp_types::{Documentation, ParameterInformation, ParameterLabel, SignatureHelp, SignatureInformation};
use mlspec_ir::functions::{FeatureFunction, NamedKind, Output, Param, Signature, FILL_STRATEGIES};

pub fn signature_help(text: &str, offset: usize) -> Option<SignatureHelp> {
    let (name, args) = enclosing_call(text, offset)?;
    let function = FeatureFunction::parse(name)?;
    let sig = function.signature();
    let (label, params) = label(function.as_str(), &sig);
    let active = active_parameter(args, &sig);
    let info = SignatureInformation {
        label,
        documentation: Some(Documentation::String(format!("for example `{}`", sig.example))),
        parameters: Some(params),
        active_parameter: active,
    };
    Some(SignatureHelp { signatures: vec![info], active_signature: Some(0), active_parameter: active })
}

/// The function name and the argument text up to `offset` of the
/// innermost call the cursor is in, on the cursor's line.
fn enclosing_call(text: &str, offset: usize) -> Option<(&str, &str)> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset)?;
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '[' if depth > 0 => depth -= 1,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let head = before.get(..i)?.trim_end();
                let start = head.rfind(|c: char| !is_word_char(c)).map_or(0, |j| j + 1);
                let name = head.get(start..)?;
                return (!name.is_empty()).then(|| (name, before.get(i + 1..).unwrap_or("")));
            }
            '\n' | '{' | '}' => return None,
            _ => {}
        }
    }
    None
}

/// `clip(number, number?, number?, min?: number, max?: number) -> number`,
/// with each parameter's offsets in the label.
fn label(name: &str, sig: &Signature) -> (String, Vec<ParameterInformation>) {
    let mut parts: Vec<String> =
        sig.params.iter().enumerate().map(|(i, p)| format!("{}{}", positional(p), if i < sig.required { "" } else { "?" })).collect();
    parts.extend(sig.named.iter().map(|n| {
        let kind = match n.kind {
            NamedKind::Number => "number",
            NamedKind::Key => "field",
            NamedKind::Duration => "duration",
        };
        format!("{}{}: {kind}", n.name, if n.required { "" } else { "?" })
    }));
    let result = match sig.result {
        Output::Is(t) => t.as_str(),
        Output::FirstArg => "the first argument's type",
    };
    let mut label = format!("{name}(");
    let mut params = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        // The label is ASCII, so byte offsets are UTF-16 offsets.
        let start = u32::try_from(label.len()).unwrap_or(u32::MAX);
        label.push_str(part);
        let end = u32::try_from(label.len()).unwrap_or(u32::MAX);
        params.push(ParameterInformation { label: ParameterLabel::LabelOffsets([start, end]), documentation: None });
    }
    label.push_str(&format!(") -> {result}"));
    (label, params)
}

fn positional(p: &Param) -> String {
    match p {
        Param::Of(types) => types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" | "),
        Param::Any => "value".to_string(),
        Param::FillValue => format!("{} | value", FILL_STRATEGIES.join(" | ")),
        Param::Aggregated(a) if a.whole_source => "source | source.field".to_string(),
        Param::Aggregated(a) if a.numbers_only => "source.field (number)".to_string(),
        Param::Aggregated(_) => "source.field".to_string(),
    }
}

/// The parameter the cursor is in: a named one by its name, else by the
/// number of commas before it (outside nested brackets).
fn active_parameter(args: &str, sig: &Signature) -> Option<u32> {
    let mut depth = 0usize;
    let mut commas = 0usize;
    let mut current = 0usize;
    for (i, c) in args.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                commas += 1;
                current = i + 1;
            }
            _ => {}
        }
    }
    let arg = args.get(current..).unwrap_or("").trim_start();
    let index = match arg.split_once(':') {
        Some((name, _)) if name.chars().all(is_word_char) => sig.params.len() + sig.named.iter().position(|n| n.name == name.trim())?,
        _ => commas,
    };
    u32::try_from(index).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_call_and_the_parameter() {
        let text = "  n = count(transactions, by: user_id, wi";
        let help = signature_help(text, text.len()).unwrap();
        let sig = &help.signatures[0];
        assert!(sig.label.starts_with("count(source | source.field, by: field, window: duration)"), "{}", sig.label);
        // `wi`, the third argument: `window`, by position.
        assert_eq!(help.active_parameter, Some(2));
        let text = "  n = count(transactions, by: us";
        assert_eq!(signature_help(text, text.len()).and_then(|h| h.active_parameter), Some(1));
        // A named argument by its name, wherever it is written.
        let text = "  n = count(transactions, window: 1h, by: us";
        assert_eq!(signature_help(text, text.len()).and_then(|h| h.active_parameter), Some(1));
        let text = "  n = clip(log1p(t.a), 0, ";
        assert_eq!(signature_help(text, text.len()).and_then(|h| h.active_parameter), Some(2));
        assert!(signature_help("  n = t.a + 1", 12).is_none());
    }
}
