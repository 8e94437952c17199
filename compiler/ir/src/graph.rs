//! The design as a graph: sources -> features -> models -> serving stages ->
//! monitors, built with petgraph and printed as Graphviz DOT or Mermaid.
//!
//! **Invariant:** node and edge order follow declaration order, so the
//! output is the same bytes for the same design.

use crate::{Design, FieldRef, MonitorKind, Phase, Window};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    Source,
    Feature,
    Model,
    Stage,
    Monitor,
}

impl NodeKind {
    fn cluster(self) -> &'static str {
        match self {
            NodeKind::Source => "sources",
            NodeKind::Feature => "features",
            NodeKind::Model => "models",
            NodeKind::Stage => "serving",
            NodeKind::Monitor => "monitors",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// Unique and safe as a DOT/Mermaid id: `feature_amount_log`.
    pub id: String,
    pub label: String,
}

pub struct DesignGraph {
    pub graph: DiGraph<Node, &'static str>,
}

pub fn build(d: &Design) -> DesignGraph {
    let mut g = DiGraph::new();
    let mut ids: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut add = |g: &mut DiGraph<Node, &'static str>, kind: NodeKind, key: &str, label: String| {
        let id = format!("{}_{}", kind.cluster(), key.replace(['.', '-'], "_"));
        *ids.entry(id.clone()).or_insert_with(|| g.add_node(Node { kind, id, label }))
    };
    let mut sources = BTreeMap::new();
    for s in &d.sources {
        sources.insert(s.name.clone(), add(&mut g, NodeKind::Source, &s.name, s.name.clone()));
    }
    let mut features = BTreeMap::new();
    for f in &d.features {
        features.insert(f.name.clone(), add(&mut g, NodeKind::Feature, &f.name, f.name.clone()));
    }
    for f in &d.features {
        let Some(&to) = features.get(&f.name) else { continue };
        for r in &f.reads {
            if let Some(&from) = sources.get(&r.source) {
                g.update_edge(from, to, "");
            }
        }
        for u in &f.uses_features {
            if let Some(&from) = features.get(u) {
                g.update_edge(from, to, "");
            }
        }
    }
    let mut models = BTreeMap::new();
    for m in &d.models {
        let label = format!("{} ({})", m.name, m.kind);
        let to = add(&mut g, NodeKind::Model, &m.name, label);
        models.insert(m.name.clone(), to);
        for f in &m.features {
            if let Some(&from) = features.get(f) {
                g.update_edge(from, to, "");
            }
        }
        let mut rule_features = Vec::new();
        for r in &m.rules {
            r.feature_names(&mut rule_features);
        }
        for f in rule_features {
            if let Some(&from) = features.get(f) {
                g.update_edge(from, to, "rule");
            }
        }
    }
    for m in &d.models {
        if let (Some(b), Some(&to)) = (m.baseline.as_ref().and_then(|b| models.get(b)), models.get(&m.name)) {
            g.update_edge(*b, to, "baseline");
        }
    }
    let mut last_stage = BTreeMap::new();
    for s in &d.servings {
        let mut prev = None;
        for st in &s.stages {
            let node = add(&mut g, NodeKind::Stage, &format!("{}_{}", s.name, st.name), format!("{}.{}", s.name, st.name));
            if let Some(p) = prev {
                g.update_edge(p, node, "");
            }
            if let Some(&m) = st.model.as_ref().and_then(|m| models.get(m)) {
                g.update_edge(m, node, "");
            }
            prev = Some(node);
        }
        if let (Some((_, fb)), Some(p)) = (&s.timeout, prev) {
            if let Some(&m) = models.get(fb) {
                g.update_edge(m, p, "fallback");
            }
        }
        if let Some(p) = prev {
            last_stage.insert(s.name.clone(), p);
        }
    }
    // The models that serve: what performance monitors and retraining watch.
    let mut served: Vec<NodeIndex> =
        d.servings.iter().flat_map(|s| s.stages.iter().filter_map(|st| st.model.as_ref())).filter_map(|m| models.get(m).copied()).collect();
    served.dedup();
    for (i, m) in d.monitors.iter().enumerate() {
        let (label, from): (String, Vec<NodeIndex>) = match &m.kind {
            MonitorKind::Drift { feature, statistic, .. } => {
                (format!("drift {feature} ({statistic})"), features.get(feature).copied().into_iter().collect())
            }
            MonitorKind::Performance { metric, .. } => (format!("performance {metric}"), served.clone()),
            MonitorKind::Latency { label, .. } => (format!("latency {label}"), last_stage.values().copied().collect()),
            MonitorKind::Errors { .. } => ("errors".to_string(), last_stage.values().copied().collect()),
            MonitorKind::Retrain { .. } => ("retrain".to_string(), served.clone()),
        };
        let node = add(&mut g, NodeKind::Monitor, &i.to_string(), label);
        for f in from {
            g.update_edge(f, node, "");
        }
    }
    DesignGraph { graph: g }
}

const KINDS: [NodeKind; 5] = [NodeKind::Source, NodeKind::Feature, NodeKind::Model, NodeKind::Stage, NodeKind::Monitor];

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Every edge with its end nodes and label, in insertion order.
fn edges<'g>(g: &'g DiGraph<Node, &'static str>) -> impl Iterator<Item = (&'g Node, &'g Node, &'static str)> + 'g {
    g.edge_indices().filter_map(move |e| {
        let (a, b) = g.edge_endpoints(e)?;
        Some((g.node_weight(a)?, g.node_weight(b)?, *g.edge_weight(e)?))
    })
}

pub fn to_dot(d: &Design, dg: &DesignGraph) -> String {
    let g = &dg.graph;
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&d.name));
    let _ = writeln!(out, "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];");
    for kind in KINDS {
        let nodes: Vec<&Node> = g.node_weights().filter(|n| n.kind == kind).collect();
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph cluster_{} {{\n    label={};", kind.cluster(), quote(kind.cluster()));
        let shape = match kind {
            NodeKind::Source => "cylinder",
            NodeKind::Model => "box3d",
            NodeKind::Monitor => "note",
            _ => "box",
        };
        for n in nodes {
            let _ = writeln!(out, "    {} [label={}, shape={shape}];", n.id, quote(&n.label));
        }
        let _ = writeln!(out, "  }}");
    }
    for (a, b, label) in edges(g) {
        if label.is_empty() {
            let _ = writeln!(out, "  {} -> {};", a.id, b.id);
        } else {
            let _ = writeln!(out, "  {} -> {} [label={}, style=dashed];", a.id, b.id, quote(label));
        }
    }
    out.push_str("}\n");
    out
}

pub fn to_mermaid(dg: &DesignGraph) -> String {
    let g = &dg.graph;
    let mut out = String::from("flowchart LR\n");
    let esc = |s: &str| s.replace('"', "#quot;");
    for kind in KINDS {
        let nodes: Vec<&Node> = g.node_weights().filter(|n| n.kind == kind).collect();
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph {}", kind.cluster());
        for n in nodes {
            let shape = match kind {
                NodeKind::Source => ("[(\"", "\")]"),
                NodeKind::Monitor => ("{{\"", "\"}}"),
                _ => ("[\"", "\"]"),
            };
            let _ = writeln!(out, "    {}{}{}{}", n.id, shape.0, esc(&n.label), shape.1);
        }
        let _ = writeln!(out, "  end");
    }
    for (a, b, label) in edges(g) {
        if label.is_empty() {
            let _ = writeln!(out, "  {} --> {}", a.id, b.id);
        } else {
            let _ = writeln!(out, "  {} -. {} .-> {}", a.id, label, b.id);
        }
    }
    out
}

/// Fields and features used by a feature, transitively: for the serving checks.
pub fn transitive_reads<'d, P: Phase>(
    design: &'d Design<P>,
    roots: impl IntoIterator<Item = &'d str>,
) -> (BTreeSet<&'d str>, Vec<&'d FieldRef>, Vec<&'d Window>) {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = roots.into_iter().collect();
    let mut fields = Vec::new();
    let mut windows = Vec::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        if let Some(f) = design.feature(n) {
            fields.extend(f.reads.iter());
            windows.extend(f.windows.iter());
            stack.extend(f.uses_features.iter().map(String::as_str));
        }
    }
    (seen, fields, windows)
}
