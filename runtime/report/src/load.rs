//! The tables of a load report, built once for Markdown and HTML (the
//! terminal report shows the stages only).

use super::table::{Cell, Column, Table};
use super::{group, pct};
use mlspec_sim::LoadReport;

pub fn slo(r: &LoadReport) -> Table {
    let mut t = Table::new(vec![Column::left("constraint"), Column::right("simulated"), Column::right("limit"), Column::center("met")]);
    for slo in &r.slo {
        t.row(vec![
            Cell::Code(slo.constraint.clone()),
            format!("{} ms", slo.value_ms).into(),
            format!("{} ms", slo.limit_ms).into(),
            if slo.met { "yes".into() } else { Cell::Strong("no".into()) },
        ]);
    }
    t
}

pub fn requests(r: &LoadReport) -> Table {
    let columns = ["arrived", "by the model", "fallback", "timed out", "rejected", "errors"].map(Column::right).to_vec();
    let mut t = Table::new(columns);
    t.row([r.requests, r.completed, r.fallbacks, r.timed_out, r.rejected, r.errors].map(|n| group(n).into()).to_vec());
    t
}

pub fn stages(r: &LoadReport) -> Table {
    let mut t = Table::new(vec![
        Column::left("stage"),
        Column::right("utilisation"),
        Column::right("p50 ms"),
        Column::right("p99 ms"),
        Column::left("service time"),
    ]);
    for st in &r.stages {
        t.row(vec![
            Cell::Code(st.name.clone()),
            pct(st.utilization * 100.0).into(),
            st.latency_ms.p50.to_string().into(),
            st.latency_ms.p99.to_string().into(),
            st.service_time.clone().into(),
        ]);
    }
    t
}
