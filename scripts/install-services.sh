#!/usr/bin/env bash
# What the service's multi-process tests need: a PostgreSQL server on 127.0.0.1:5432 (trust
# auth, database `test`) and the nats-server program (the replica tests start their own NATS
# servers, so that they can kill them mid-run). Machines of this kind run both already; a
# fresh Debian machine gets them from Debian's packages. Idempotent: installs and starts only
# what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

install() {
    echo "== installing $* (Debian packages)" >&2
    if ! $sudo apt-get install -y --no-install-recommends "$@" >&2; then
        $sudo apt-get update >&2
        $sudo apt-get install -y --no-install-recommends "$@" >&2
    fi
}

command -v nats-server >/dev/null || [[ -x /usr/sbin/nats-server ]] || install nats-server

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    command -v pg_ctlcluster >/dev/null || install postgresql postgresql-client
    version=$(ls /etc/postgresql | sort -V | tail -1)
    conf=/etc/postgresql/$version/main
    # Trust on loopback, as the tests expect; listen on 127.0.0.1.
    if ! grep -q "carecircle tests" "$conf/pg_hba.conf"; then
        $sudo sed -i '1i host all all 127.0.0.1/32 trust # carecircle tests' "$conf/pg_hba.conf"
    fi
    $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
    psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" \
        | grep -q 1 || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >&2
fi
echo "== $(pg_isready -h 127.0.0.1 -p 5432), $(PATH=$PATH:/usr/sbin nats-server --version)" >&2
