#!/usr/bin/env python3
"""serve replicas on one PostgreSQL: 1 against 3 replicas on the same workload, then takeover latency.

Run through Benchmarks/serve/replicas.sh, which builds the binaries, starts a throwaway PostgreSQL
(scripts/dev-postgres.sh) and passes it here. What it does and what each figure means:
Benchmarks/serve/README.md ("Replicas"). Standard library only; PostgreSQL is read with `psql`.
"""

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")
TERMINAL = {"succeeded", "failed", "cancelled", "destroyed", "destroy-failed"}


def say(line=""):
    print(line, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.load(answer)


def psql(url, sql):
    out = subprocess.run(
        ["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def percentile(values, q):
    """Nearest-rank percentile (q in 0...1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


# MARK: CPU


def ticks(pid, children=False):
    """utime + stime of `pid` (with `children`: plus its reaped children's), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    total = int(fields[11]) + int(fields[12])
    if children:
        total += int(fields[13]) + int(fields[14])
    return total


def postgres_ticks(postmaster):
    """The PostgreSQL server: its postmaster, every live backend and the backends that exited."""
    total = ticks(postmaster, children=True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total


class Sampler(threading.Thread):
    """Every `interval` s: the simulator's /_sim/stats and the CPU ticks of the processes watched."""

    def __init__(self, simulator, pids, postmaster, interval=0.5):
        super().__init__(daemon=True)
        self.simulator, self.pids, self.postmaster, self.interval = simulator, pids, postmaster, interval
        self.samples = []
        self.stopping = threading.Event()

    def sample(self):
        at = time.time()
        try:
            stats = get_json(self.simulator + "/_sim/stats")
        except Exception:  # noqa: BLE001 - a missed sample is skipped
            return
        cpu = {name: ticks(pid) for name, pid in self.pids.items()}
        cpu["postgres"] = postgres_ticks(self.postmaster)
        self.samples.append((at * 1000, stats, cpu))

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.interval)

    def stop(self):
        self.stopping.set()
        self.join()
        self.sample()

    def window(self, start_ms, end_ms):
        """The last sample at or before `start_ms` and the first at or after `end_ms`."""
        before = [s for s in self.samples if s[0] <= start_ms] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= end_ms] or self.samples[-1:]
        return before[-1], after[0]


# MARK: Processes


class Bench:
    def __init__(self, options):
        self.o = options
        self.engine = os.path.join(options.bin, "vra-engine")
        self.client = os.path.join(options.bin, "ServeBenchmark")
        self.work = options.work
        self.procs = []
        self.token_file = os.path.join(self.work, "bench.token")
        with open(self.token_file, "w") as out, open(os.path.join(self.work, "token.err"), "w") as err:
            subprocess.run([self.engine, "serve", "token", "create", "--tenant", "bench"], stdout=out, stderr=err,
                           check=True)
        os.chmod(self.token_file, 0o600)
        with open(os.path.join(self.work, "token.err")) as f:
            self.token_hash = re.search(r"sha256:[0-9a-f]{64}", f.read()).group(0)
        with open(os.path.join(options.pg_dir, "data", "postmaster.pid")) as f:
            self.postmaster = int(f.readline())
        self.env = dict(os.environ, VRA_ENGINE_LEASE_DURATION=str(options.lease_duration),
                        VRA_ENGINE_LEASE_CHECK=str(options.lease_check))
        # Separate hosts need a UTS namespace per replica (root); without, every mode runs on one host.
        self.uts = subprocess.run(["unshare", "--uts", "true"], capture_output=True).returncode == 0

    def database(self, name):
        psql(self.o.pg_url, f"CREATE DATABASE {name}")
        return self.o.pg_url.rsplit("/", 1)[0] + "/" + name

    def start(self, argv, log, hostname=None):
        if hostname:
            # Its own UTS namespace: the replica's lease owner is "pid N on <hostname>", as on
            # another machine, so its death is only known when its lease expires.
            argv = ["unshare", "--uts", "sh", "-c", f'hostname {hostname} && exec "$@"', "sh"] + argv
        out = open(os.path.join(self.work, log), "ab")
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=self.env)
        proc.log = os.path.join(self.work, log)
        self.procs.append(proc)
        return proc

    def wait_ready(self, url, proc):
        for _ in range(600):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                return
            except Exception:  # noqa: BLE001 - not answering yet
                if proc.poll() is not None:
                    with open(proc.log) as f:
                        sys.exit(f"error: {proc.args} exited ({proc.returncode}) before it answered:\n{f.read()[-3000:]}")
                time.sleep(0.1)
        sys.exit(f"error: {url} does not answer after 60 s")

    def simulator(self, name):
        port = free_port()
        proc = self.start([self.engine, "simulator", "--host", "127.0.0.1", "--port", str(port), "--time-scale",
                           str(self.o.time_scale)], f"{name}-simulator.log")
        url = f"http://127.0.0.1:{port}"
        self.wait_ready(url + "/iaas/api/about", proc)
        return proc, url

    def replica(self, name, index, state_url, simulator, hostname=None):
        port = free_port()
        config = os.path.join(self.work, f"{name}-replica{index}.yaml")
        with open(config, "w") as f:
            f.write(f"""listen: 127.0.0.1:{port}
state: {{url: "{state_url}"}}
tenants:
  - name: bench
    tokens: ["{self.token_hash}"]
    vra: {{url: "{simulator}", username: admin, password: "VMware1!", domain: vsphere.local}}
    maxConcurrentRuns: {self.o.max_concurrent}
    maxQueuedRuns: 1000
""")
        proc = self.start([self.engine, "serve", "--config", config], f"{name}-replica{index}.log", hostname)
        proc.url = f"http://127.0.0.1:{port}"
        proc.config, proc.hostname, proc.index = config, hostname, index
        return proc

    def restart(self, name, old):
        proc = self.start([self.engine, "serve", "--config", old.config], f"{name}-replica{old.index}.log",
                          old.hostname)
        proc.url, proc.config, proc.hostname, proc.index = old.url, old.config, old.hostname, old.index
        return proc

    def stop(self, procs, sig=signal.SIGTERM):
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(sig)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def load(self, replicas, simulator, runs, name):
        argv = [self.client, "--token-file", self.token_file, "--clients", str(self.o.clients), "--runs", str(runs),
                "--stages", str(self.o.stages), "--simulator", simulator, "--replay-sample", "5",
                "--poll-interval", "0.5", "--drain-timeout", "900"]
        for proc in replicas:
            argv += ["--server", proc.url]
        log = open(os.path.join(self.work, f"{name}-client.log"), "w")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        proc.log = log.name
        self.procs.append(proc)
        return proc

    def client_result(self, proc):
        proc.wait()
        with open(proc.log) as f:
            text = f.read()
        result = next((line for line in text.splitlines() if line.startswith("RESULT")), "RESULT: none")
        problems = [line.strip() for line in text.splitlines()
                    if re.search(r"\*\*(lost|duplicated)\*\*|unfinished at the drain", line)]
        return proc.returncode, result, problems

    # MARK: Throughput

    def throughput(self, replicas_count, repetition):
        name = f"r{replicas_count}-{repetition}"
        state = self.database(f"bench_r{replicas_count}_{repetition}")
        sim, sim_url = self.simulator(name)
        replicas = [self.replica(name, i + 1, state, sim_url) for i in range(replicas_count)]
        for proc in replicas:
            self.wait_ready(proc.url + "/readyz", proc)
        pids = {f"replica{p.index}": p.pid for p in replicas}
        pids["simulator"] = sim.pid
        sampler = Sampler(sim_url, pids, self.postmaster)
        sampler.start()
        time.sleep(1)
        client = self.load(replicas, sim_url, self.o.runs, name)
        status, result, problems = self.client_result(client)
        sampler.stop()

        runs = psql(state, "SELECT id, status, started_at, coalesce(finished_at, 0) FROM runs")
        starts = {}
        for run_id, at, data in psql(state, "SELECT run_id, at, data FROM events WHERE kind = 'run.status' ORDER BY seq"):
            if json.loads(data or "{}").get("to") == "running":
                starts.setdefault(run_id, int(at))
        owners = {}
        for run_id, data in psql(state, "SELECT run_id, data FROM events WHERE kind = 'run.lease' ORDER BY seq"):
            owners[run_id] = json.loads(data)["owner"]
        self.stop(replicas + [sim])

        first = min(int(r[2]) for r in runs)
        last = max(int(r[3]) for r in runs)
        minutes = (last - first) / 60000
        durations = [(int(r[3]) - starts[r[0]]) / 1000 for r in runs if r[0] in starts and int(r[3])]
        before, after = sampler.window(first, last)
        seconds = (after[0] - before[0]) / 1000

        def count(stats, test):
            return sum(sum(v.values()) for route, v in stats["requests"].items() if test(route))

        def delta(test):
            return count(after[1], test) - count(before[1], test)

        every = delta(lambda r: True)
        lists = delta(lambda r: r == "GET /deployment/api/deployments")
        by_id = delta(lambda r: r.startswith("GET /deployment/api/requests/") or
                      r.startswith("GET /deployment/api/deployments/"))
        posts = delta(lambda r: r.startswith("POST ") and "login" not in r and "authorize" not in r)
        routes = sorted(((count(after[1], lambda r, k=k: r == k) - count(before[1], lambda r, k=k: r == k), k)
                         for k in after[1]["requests"]), reverse=True)
        cpu = {k: (after[2][k] - before[2][k]) / TICK / seconds * 100 for k in after[2]}
        spread = {}
        for owner in owners.values():
            spread[owner] = spread.get(owner, 0) + 1
        return {
            "replicas": replicas_count, "repetition": repetition, "runs": len(runs),
            "succeeded": sum(1 for r in runs if r[1] == "succeeded"),
            "per_minute": len(runs) / minutes, "window": (last - first) / 1000, "calls": every, "lists": lists,
            "lists_per_s": lists / seconds, "by_id": by_id, "posts": posts, "per_run": every / max(1, len(runs)),
            "p50": percentile(durations, 0.5), "p99": percentile(durations, 0.99),
            "serve_cpu": sum(v for k, v in cpu.items() if k.startswith("replica")),
            "replica_cpu": [cpu[f"replica{i + 1}"] for i in range(replicas_count)],
            "sim_cpu": cpu["simulator"], "pg_cpu": cpu["postgres"], "routes": routes[:6],
            "spread": sorted(spread.values(), reverse=True), "client": status, "result": result,
            "problems": problems,
        }

    # MARK: Takeover

    def takeover(self, mode, trials):
        """`trials` times: one replica of 3 signalled while it works on runs; the time from the
        signal to each of its runs' next `run.lease` event by another replica."""
        name = f"takeover-{mode}"
        state = self.database(f"bench_{mode.replace('-', '_')}")
        sim, sim_url = self.simulator(name)
        separate = mode != "kill-same-host" and self.uts
        replicas = [self.replica(name, i + 1, state, sim_url, f"replica-{i + 1}" if separate else None)
                    for i in range(3)]
        for proc in replicas:
            self.wait_ready(proc.url + "/readyz", proc)
        client = self.load(replicas, sim_url, self.o.takeover_runs, name)
        sig = signal.SIGTERM if mode == "term" else signal.SIGKILL
        latencies, trial_rows, exits = [], [], []
        for trial in range(trials):
            # The replicas in turn, from this trial's; the first that holds a running run (one replica
            # may hold them all: the first to look claims as many queued runs as the quota allows).
            order = [replicas[(trial + k) % 3] for k in range(3)]
            victim, owned = self.wait_owning(state, order)
            if not owned:
                say(f"   trial {trial + 1}: no replica owned a running run for 60 s; skipped")
                continue
            slot = replicas.index(victim)
            signalled = time.time() * 1000
            victim.send_signal(sig)
            victim.wait()
            exits.append(time.time() * 1000 - signalled)
            held, taken = self.wait_taken(state, victim.pid, signalled)
            lat = sorted(taken.values())
            latencies += lat
            trial_rows.append((trial + 1, victim.index, len(held), len(taken), lat))
            say(f"   trial {trial + 1}: {sig.name} replica {victim.index} (pid {victim.pid}) holding {len(held)} run"
                f" lease(s) ({len(owned)} running); {len(taken)} taken over after "
                + ", ".join(f"{x:.1f}" for x in lat) + " s" + (f"; it exited {exits[-1] / 1000:.1f} s after the signal"
                                                                if sig == signal.SIGTERM else ""))
            replicas[slot] = self.restart(name, victim)
            self.wait_ready(victim.url + "/readyz", replicas[slot])
            time.sleep(2)
        status, result, problems = self.client_result(client)
        self.stop(replicas + [sim])
        return {"mode": mode, "signal": sig.name, "trials": trial_rows, "latencies": latencies, "exits": exits,
                "client": status, "result": result, "problems": problems}

    def lease_events(self, state):
        rows = psql(state, "SELECT run_id, at, data FROM events WHERE kind = 'run.lease' ORDER BY seq")
        return [(r[0], int(r[1]), json.loads(r[2])) for r in rows]

    def wait_owning(self, state, order, timeout=60):
        """The first replica of `order` that holds the lease of a running run, and those runs."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            rows = psql(state, "SELECT id, lease_owner FROM runs WHERE status = 'running' AND lease_owner IS NOT NULL"
                               f" AND lease_expires_at > {int(time.time() * 1000)}")
            for proc in order:
                owned = [r[0] for r in rows if json.loads(r[1]).get("pid") == proc.pid]
                if owned:
                    return proc, owned
            time.sleep(0.2)
        return None, []

    def wait_taken(self, state, pid, signalled):
        """The runs `pid` held at the signal (its last lease event before was `pid`'s, and it was not
        finished), and the seconds from the signal to the first lease event by another owner of each
        (a run the signalled replica finished itself has none)."""
        mine = f"pid {pid} "
        deadline = time.time() + self.o.lease_duration * 3 + 30
        while True:
            events = self.lease_events(state)
            finished = dict((r[0], int(r[1])) for r in psql(state, "SELECT id, coalesce(finished_at, 0) FROM runs"))
            last_owner = {}
            for run, at, data in events:
                if at < signalled:
                    last_owner[run] = data["owner"]
            owned = {run for run, owner in last_owner.items()
                     if owner.startswith(mine) and not (0 < finished.get(run, 0) < signalled)}
            taken = {}
            for run, at, data in events:
                if run in owned and run not in taken and at >= signalled and not data["owner"].startswith(mine):
                    taken[run] = (at - signalled) / 1000
            if all(run in taken or finished.get(run, 0) for run in owned) or time.time() > deadline:
                return owned, taken
            time.sleep(0.25)


# MARK: Report


def main():
    parser = argparse.ArgumentParser()
    for flag, kind, default in [
        ("--bin", str, None), ("--pg-url", str, None), ("--pg-dir", str, None), ("--work", str, None),
        ("--runs", int, 60), ("--stages", int, 4), ("--clients", int, 10), ("--max-concurrent", int, 20),
        ("--time-scale", float, 0.2), ("--repeat", int, 3), ("--replicas", str, "1,3"),
        ("--lease-duration", float, 10), ("--lease-check", float, 1), ("--kills", int, 4),
        ("--takeover-runs", int, 100), ("--modes", str, "kill-hosts,kill-same-host,term"),
    ]:
        parser.add_argument(flag, type=kind, default=default)
    o = parser.parse_args()
    bench = Bench(o)
    counts = [int(x) for x in o.replicas.split(",") if x]
    say(f"== workload: {o.runs} runs of a {o.stages}-stage plan (a chain of Cloud.Network deployments, each stage "
        f"waiting for the one before), one project (Development), submitted by {o.clients} clients at once, "
        f"round-robin over the replicas; tenant maxConcurrentRuns {o.max_concurrent} (counted over all replicas: the "
        f"same total for 1 and 3); simulator --time-scale {o.time_scale} (a Cloud.Network deployment takes "
        f"{22 * o.time_scale:.1f} s); VRA_ENGINE_LEASE_DURATION={o.lease_duration:g} "
        f"VRA_ENGINE_LEASE_CHECK={o.lease_check:g}; {o.repeat} repetitions, 1 and 3 replicas interleaved")
    results = []
    try:
        for repetition in range(1, o.repeat + 1):
            for n in counts:
                say(f"-- repetition {repetition}, {n} replica(s), load average {open('/proc/loadavg').read().split()[0]}")
                r = bench.throughput(n, repetition)
                results.append(r)
                say(f"   {r['runs']} runs ({r['succeeded']} succeeded) in {r['window']:.1f} s, runs by replica "
                    f"{r['spread']}; vRA calls {r['calls']}: " + ", ".join(f"{c} {k}" for c, k in r["routes"]))
                say(f"   client: {r['result']}" + "".join(f"\n   {p}" for p in r["problems"]))
        takeovers = []
        for mode in [m for m in o.modes.split(",") if m]:
            say(f"-- takeover, {mode}: 3 replicas, {o.takeover_runs} runs, {o.kills} trials, load average "
                f"{open('/proc/loadavg').read().split()[0]}")
            if mode == "kill-hosts" and not bench.uts:
                say("   skipped: `unshare --uts` is not allowed here (needs root), so replicas cannot have hosts of their own")
                continue
            t = bench.takeover(mode, o.kills)
            takeovers.append(t)
            say(f"   client: {t['result']}" + "".join(f"\n   {p}" for p in t["problems"]))
    finally:
        bench.stop(bench.procs, signal.SIGKILL)

    if results:
        report_throughput(o, counts, results)
    if takeovers:
        report_takeovers(o, bench, takeovers)
    failed = [r for r in results if r["client"] != 0] + [t for t in takeovers if t["client"] != 0]
    say()
    say("RESULT: " + ("every client check passed (none lost, none duplicated, every run finished)" if not failed
                      else f"{len(failed)} client check(s) FAILED (see above and the client logs)"))
    return 1 if failed else 0


def report_throughput(o, counts, results):
    say()
    say("== 1 vs N replicas (vRA calls: every simulator request between the first submission and the last run's "
        "end; list = GET /deployment/api/deployments, one project; by id = GET .../requests/{id} and "
        ".../deployments/{id}; run s = running → finished; CPU % of one core over the same window)")
    say()
    say("| replicas | rep | runs/min | vRA calls | list calls (/s) | by-id GETs | POSTs | calls per run "
        "| p50 / p99 run s | CPU serve (per replica) | simulator | PostgreSQL |")
    say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |")
    for r in results:
        say(f"| {r['replicas']} | {r['repetition']} | {r['per_minute']:.1f} | {r['calls']} | {r['lists']} "
            f"({r['lists_per_s']:.2f}) | {r['by_id']} | {r['posts']} | {r['per_run']:.1f} | {r['p50']:.1f} / "
            f"{r['p99']:.1f} | {r['serve_cpu']:.0f} % ({' + '.join(f'{c:.0f}' for c in r['replica_cpu'])}) "
            f"| {r['sim_cpu']:.0f} % | {r['pg_cpu']:.0f} % |")
    if len(counts) == 2:
        base, other = counts
        say()
        say(f"ratios {other} : {base} replica(s), within each repetition (min–max over {o.repeat}):")
        for key, label in [("per_minute", "runs/min"), ("calls", "vRA calls"), ("lists_per_s", "list calls/s"),
                           ("per_run", "calls per run"), ("p50", "p50 run s"), ("serve_cpu", "serve CPU")]:
            ratios = []
            for repetition in range(1, o.repeat + 1):
                a = [r for r in results if r["replicas"] == base and r["repetition"] == repetition]
                b = [r for r in results if r["replicas"] == other and r["repetition"] == repetition]
                if a and b and a[0][key]:
                    ratios.append(b[0][key] / a[0][key])
            if ratios:
                say(f"  {label:<14} {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})")


def report_takeovers(o, bench, takeovers):
    if takeovers:
        say()
        say(f"== takeover (3 replicas; from the signal to the run.lease event of another replica, per run the "
            f"signalled replica owned; lease {o.lease_duration:g} s, check {o.lease_check:g} s, scheduler tick 2 s)")
        say()
        say("| signal | replicas' hosts | trials | runs taken over | p50 s | max s | signalled replica exited after |")
        say("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        hosts = {"kill-hosts": "one each (UTS namespaces)", "kill-same-host": "one host",
                 "term": "one each (UTS namespaces)"}
        for t in takeovers:
            lat = t["latencies"]
            owned = sum(row[2] for row in t["trials"])
            exits = (f"{statistics.median(t['exits']) / 1000:.1f} s p50, {max(t['exits']) / 1000:.1f} s max"
                     if t["signal"] == "SIGTERM" and t["exits"] else "")
            host = hosts.get(t["mode"], t["mode"]) if bench.uts else "one host"
            say(f"| {t['signal']} | {host} | {len(t['trials'])} | {len(lat)} of {owned} | "
                + (f"{percentile(lat, 0.5):.1f} | {max(lat):.1f}" if lat else "– | –") + f" | {exits} |")


if __name__ == "__main__":
    sys.exit(main())
