//! The named random streams of the simulations, and the seeds of their
//! independent replications.
//!
//! **Invariant:** a simulation result depends only on the design, the
//! options and the seed: every random draw comes from a stream built here
//! from (seed, stream name), so adding a stream never shifts another's
//! draws.

use rand_core::RngCore;
pub use rand_pcg::Pcg64;

/// The stream the seeds of replications are drawn from (`0x4e9` reads
/// "rep"); replication `i` draws from stream `STREAM_REPLICATIONS + i`.
pub const STREAM_REPLICATIONS: u128 = 0x4e9 << 32;

/// The stream `stream` of run `seed`.
pub fn rng(seed: u64, stream: u128) -> Pcg64 {
    // Pcg64's state is a 128-bit LCG; mix the seed so nearby seeds diverge.
    let state = u128::from(seed).wrapping_mul(0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645) ^ 0xcafe_f00d_d15e_a5e5;
    Pcg64::new(state, stream)
}

/// The slow mode of statistical tests, shared by the crates' unit tests.
#[cfg(feature = "testing")]
pub mod testing {
    /// Runs `check` (which panics when a statistic is out of its stated
    /// tolerance) on `seed`; with `MLSPEC_SLOW_SEEDS=N` on N other seeds
    /// instead, printing how many failed and failing only if more than
    /// 1 + N/100 did (a rate of 1 in 1,000 explains no more: for N ≤ 100 two
    /// or more failures have a chance under N² · 1e-6 / 2 ≤ 0.005), as the
    /// simulator's integration tests do (`runtime/sim/tests/common`).
    pub fn over_seeds(test: &str, seed: u64, check: impl Fn(u64)) {
        let slow = std::env::var("MLSPEC_SLOW_SEEDS").ok().and_then(|s| s.trim().parse::<u64>().ok()).filter(|&n| n > 0);
        let Some(n) = slow else {
            check(seed);
            return;
        };
        let failed = (1..=n)
            .filter(|k| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(seed.wrapping_mul(1_000_003).wrapping_add(*k)))).is_err()
            })
            .count() as u64;
        println!("slow mode: {test}: {failed} of {n} seeds failed");
        assert!(failed <= 1 + n / 100, "{test}: {failed} of {n} seeds failed, more than a rate of 1 in 1,000 explains");
    }
}

/// The seed of replication `index` of a run seeded `seed`.
///
/// **Invariant:** replication 0 is the run itself (`seed`), so one
/// replication gives today's numbers; every other seed depends only on
/// `(seed, index)`, never on how many replications run or in what order,
/// so a set of replications is the same on any number of threads.
pub fn replication_seed(seed: u64, index: u32) -> u64 {
    if index == 0 {
        return seed;
    }
    rng(seed, STREAM_REPLICATIONS + u128::from(index)).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_zero_is_the_run_and_the_others_differ() {
        assert_eq!(replication_seed(42, 0), 42);
        let seeds: Vec<u64> = (0..1000).map(|i| replication_seed(42, i)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seeds.len(), "1,000 distinct seeds");
        // A function of (seed, index) alone: the same in any order.
        assert_eq!(replication_seed(42, 7), seeds[7]);
        assert_ne!(replication_seed(43, 7), seeds[7]);
        // Pinned: a change here changes every replicated report.
        assert_eq!(replication_seed(1, 1), 12_397_634_994_329_427_614);
    }
}
