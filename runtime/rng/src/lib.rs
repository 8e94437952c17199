//! The named random streams of the simulations.
//!
//! **Invariant:** a simulation result depends only on the design, the
//! options and the seed: every random draw comes from a stream built here
//! from (seed, stream name), so adding a stream never shifts another's
//! draws.

pub use rand_pcg::Pcg64;

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
