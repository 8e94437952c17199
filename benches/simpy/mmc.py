"""The M/M/c of runtime/sim/benches/load.rs (MMC_SPEC) in SimPy, for a speed
comparison with mlspec's simulator (docs/performance.md, "Simulator").

8 servers behind one FIFO queue (a simpy.Resource of capacity 8), Poisson
arrivals at 640/s, exponential service with mean 10 ms (rho = 0.8), 1M
requests, seeded. Prints the simulation's own results beside Erlang C so
that the model can be checked, then the wall-clock speed. The last line is
machine-readable for run.sh: `simpy_requests_per_s=<float>`.

Run through benches/simpy/run.sh, which creates the virtual environment.
"""

import argparse
import math
import random
import sys
import time

import simpy


def erlang_c(
    servers: int, rate: float, mean_service: float
) -> tuple[float, float, float]:
    """P(wait), mean wait and mean time in system of an M/M/c queue."""
    a = rate * mean_service
    rho = a / servers
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= a / k
        total += term
    top = term * a / servers / (1.0 - rho)
    p_wait = top / (total + top)
    wait = p_wait * mean_service / (servers * (1.0 - rho))
    return p_wait, wait, wait + mean_service


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--rate", type=float, default=640.0, help="arrivals per second")
    p.add_argument("--servers", type=int, default=8)
    p.add_argument("--mean-service", type=float, default=0.010, help="seconds")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    rng = random.Random(args.seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=args.servers)
    stats = {"done": 0, "waited": 0, "sojourn": 0.0, "wait": 0.0}
    service_rate = 1.0 / args.mean_service

    def request(env: simpy.Environment):
        arrived = env.now
        with server.request() as slot:
            yield slot
            started = env.now
            if started > arrived:
                stats["waited"] += 1
                stats["wait"] += started - arrived
            yield env.timeout(rng.expovariate(service_rate))
        stats["done"] += 1
        stats["sojourn"] += env.now - arrived

    def arrivals(env: simpy.Environment):
        for _ in range(args.requests):
            yield env.timeout(rng.expovariate(args.rate))
            env.process(request(env))

    env.process(arrivals(env))
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start

    n = stats["done"]
    p_wait, wait, sojourn = erlang_c(args.servers, args.rate, args.mean_service)
    print(f"simpy {simpy.__version__}, python {sys.version.split()[0]}")
    print(f"requests completed    {n}")
    print(
        f"mean time in system   {stats['sojourn'] / n * 1e3:.4f} ms   (Erlang C {sojourn * 1e3:.4f} ms)"
    )
    print(
        f"mean wait             {stats['wait'] / n * 1e3:.4f} ms   (Erlang C {wait * 1e3:.4f} ms)"
    )
    print(
        f"P(wait)               {stats['waited'] / n:.4f}      (Erlang C {p_wait:.4f})"
    )
    print(f"simulated time        {env.now:.1f} s")
    print(f"wall time             {elapsed:.2f} s")
    rate = n / elapsed
    print(f"simpy_requests_per_s={rate:.1f}")
    ok = math.isfinite(rate) and n == args.requests
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
