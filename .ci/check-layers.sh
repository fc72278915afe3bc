#!/usr/bin/env bash
# The crate graph is the architecture. This fails when:
# - `domain` pulls in a framework, driver, runtime or crypto crate, even
#   transitively;
# - `application` depends on any of our crates but `domain`;
# - an adapter depends on any of our crates but `domain` and `application`
#   (another adapter, `port-conformance`, `server`);
# - `port-conformance` (the suite every storage adapter runs) depends on any
#   of our crates but `domain`.
# Every edge counted is a normal one (dev-dependencies are free), with every
# feature on: an optional dependency behind a feature (`testing`, `mocks`)
# is a normal dependency of every build that enables it.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
forbidden='^(actix|diesel|tokio|lettre|bcrypt|jsonwebtoken|r2d2|hyper|utoipa|figment|libsqlite3|pq-sys)'

# Normal-edge dependency names of a crate, every feature on: all of them, or
# only the direct ones.
deps() { cargo tree --locked -p "$1" -e normal --all-features --prefix none --format '{p}' "${@:2}" | awk '{print $1}' | sort -u; }

if leaked=$(deps domain | grep -E "$forbidden"); then
    echo "layer violation: domain pulls in: $(echo "$leaked" | tr '\n' ' ')"
    fail=1
fi

ours='^(domain|application|adapters-[a-z]+|port-conformance|server|e2e)$'
check_direct() { # crate, allowed workspace deps (regex)
    local crate=$1 allowed=$2 bad
    bad=$(deps "$crate" --depth 1 | grep -vx "$crate" | grep -E "$ours" | grep -vE "^($allowed)$" || true)
    if [[ -n $bad ]]; then
        echo "layer violation: $crate depends on $(echo "$bad" | tr '\n' ' ')"
        fail=1
    fi
}

check_direct application 'domain'
check_direct port-conformance 'domain'
for adapter in crates/adapters-*; do
    check_direct "$(basename "$adapter")" 'domain|application'
done

if ((fail)); then exit 1; fi
echo "layers: ok (domain is framework-free; adapters depend only inward)"
