"""Launcher: `python short_lease.py TTL ARGS...` runs `asr-console ARGS` with an engine lease of TTL
wall seconds instead of store.engine.lease.LEASE_TTL_S (10 s).

The crash test kills the lease holder many times; each restart must wait for the dead holder's
lease to expire. The command line has no option for the TTL, so the CI test shortens it here, in
the launched process only (nothing else changes: same code paths, same database, a real SIGKILL).
The soak (tests/soak/soak_crash.py) runs the unmodified `python -m tui.cli` with the real TTL."""

from __future__ import annotations

import sys


def main() -> None:
    ttl = float(sys.argv[1])
    from store.engine import lease

    lease.LEASE_TTL_S = ttl
    for fn in (lease.try_acquire, lease.acquire, lease.renew):
        fn.__defaults__ = (ttl,)
    from tui.cli import main as cli_main

    sys.argv = ["asr-console", *sys.argv[2:]]
    cli_main(sys.argv[1:])


if __name__ == "__main__":
    main()
