#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port for benchmark runs and prints its connection string.
# Usage: eval "$(bench/pg.sh start)"   → exports BENCH_PG (connection string) and BENCH_PG_DIR
#        BENCH_PG_WAL=1GB bench/pg.sh start   bounds the write-ahead log kept between checkpoints (default 8GB) where disk is short
#        bench/pg.sh stop "$BENCH_PG_DIR"
set -euo pipefail
bin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/csm-bench-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c huge_pages=try -c max_wal_size=${BENCH_PG_WAL:-8GB} -c synchronous_commit=off" start >/dev/null
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE bench" >/dev/null
    # Huge pages halve the server's CPU at 1,000,000 accounts on a virtual machine (bench/README.md); they are used when
    # reserved (as root: sysctl vm.nr_hugepages=600), and the cluster runs without them otherwise.
    if [ "$(awk '/^HugePages_Rsvd/ { print $2 }' /proc/meminfo)" = 0 ]; then
      echo "PostgreSQL runs without huge pages (none reserved: as root, sysctl vm.nr_hugepages=600)" >&2
    fi
    echo "export BENCH_PG='Host=127.0.0.1;Port=$port;Username=postgres;Database=bench;Timeout=60;Command Timeout=0'"
    echo "export BENCH_PG_DIR='$dir'"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    rm -rf "$2"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
