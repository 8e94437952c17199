//! Closed forms of queueing theory: M/M/c (Erlang C) and M/D/1
//! (Pollaczek–Khinchine), used by `capacity` beside the simulation and by
//! the tests that hold the simulator to them.

/// Erlang C: the probability that an arrival waits, for `c` servers and
/// offered load `a = λ/μ` (needs `a < c`). Computed through the Erlang B
/// recursion, which is stable for large `c`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    if c == 0 || a >= f64::from(c) {
        return 1.0;
    }
    if a <= 0.0 {
        return 0.0;
    }
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

/// M/M/c with arrival rate `lambda` and service rate `mu` per server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mmc {
    pub c: u32,
    pub lambda: f64,
    pub mu: f64,
}

impl Mmc {
    pub fn stable(&self) -> bool {
        self.lambda < f64::from(self.c) * self.mu
    }

    pub fn utilization(&self) -> f64 {
        self.lambda / (f64::from(self.c) * self.mu)
    }

    pub fn prob_wait(&self) -> f64 {
        erlang_c(self.c, self.lambda / self.mu)
    }

    /// Mean time in the queue.
    pub fn mean_wait(&self) -> f64 {
        self.prob_wait() / (f64::from(self.c) * self.mu - self.lambda)
    }

    /// Mean time in the system.
    pub fn mean_sojourn(&self) -> f64 {
        self.mean_wait() + 1.0 / self.mu
    }

    /// P(time in system > t): the service time plus, with probability C, an
    /// exponential wait of rate θ = cμ − λ.
    pub fn sojourn_tail(&self, t: f64) -> f64 {
        self.sojourn_tail_given(self.prob_wait(), t)
    }

    fn sojourn_tail_given(&self, pw: f64, t: f64) -> f64 {
        let mu = self.mu;
        let theta = f64::from(self.c) * mu - self.lambda;
        let service_only = (-mu * t).exp();
        let with_wait = if (theta - mu).abs() < 1e-12 * mu {
            (1.0 + mu * t) * (-mu * t).exp()
        } else {
            (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
        };
        (1.0 - pw) * service_only + pw * with_wait
    }

    /// The `q` quantile of the time in system, by bisection on the tail.
    pub fn sojourn_quantile(&self, q: f64) -> f64 {
        let pw = self.prob_wait();
        let target = 1.0 - q;
        let (mut lo, mut hi) = (0.0, 1.0 / self.mu);
        while self.sojourn_tail_given(pw, hi) > target {
            hi *= 2.0;
            if hi > 1e12 {
                return f64::INFINITY;
            }
        }
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if self.sojourn_tail_given(pw, mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo + hi) / 2.0
    }
}

/// M/D/1 mean wait (Pollaczek–Khinchine with zero service variance):
/// λ D² / (2 (1 − ρ)).
pub fn md1_mean_wait(lambda: f64, d: f64) -> f64 {
    let rho = lambda * d;
    lambda * d * d / (2.0 * (1.0 - rho))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_values() {
        // One server: P(wait) = ρ.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        // c = 2, a = 1: C = (1/2 · 2/(2−1)) / (1 + 1 + 1) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // Textbook: c = 10, a = 8 gives C ≈ 0.4092.
        assert!((erlang_c(10, 8.0) - 0.409_18).abs() < 1e-4);
        assert_eq!(erlang_c(3, 3.0), 1.0);
    }

    #[test]
    fn mm1_forms() {
        let q = Mmc { c: 1, lambda: 0.7, mu: 1.0 };
        assert!((q.mean_sojourn() - 1.0 / 0.3).abs() < 1e-9);
        // M/M/1 sojourn is exponential with rate μ − λ.
        let p99 = q.sojourn_quantile(0.99);
        assert!((p99 - (100f64).ln() / 0.3).abs() < 1e-6, "{p99}");
    }

    #[test]
    fn md1_is_half_of_mm1_wait() {
        let (l, d) = (0.7, 1.0);
        let mm1 = Mmc { c: 1, lambda: l, mu: 1.0 / d }.mean_wait();
        assert!((md1_mean_wait(l, d) - mm1 / 2.0).abs() < 1e-12);
    }
}
