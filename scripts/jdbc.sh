#!/usr/bin/env bash
# ClickHouse's official JDBC driver (com.clickhouse:jdbc-v2, from Maven Central via scripts/jdbc/pom.xml into the
# git-ignored .cache/jdbc), as an analyst's Java client: test/jdbc.int-spec.ts points it at the service's ClickHouse
# HTTP interface.
#   scripts/jdbc.sh check <jdbc url> <user> <password> <database> <query>
#     prints the database's tables (JDBC metadata) on one line, then the query's rows (scripts/jdbc/JdbcCheck.java)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
libs="$root/.cache/jdbc/libs"

if [[ ! -f "$libs/.complete" ]]; then
  echo "jdbc: fetching the ClickHouse JDBC driver from Maven Central into $libs" >&2
  mvn -q -B -f "$root/scripts/jdbc/pom.xml" package -Dlibs.dir="$libs" >&2
  touch "$libs/.complete"
fi

case "${1:-}" in
  check)
    shift
    exec java -cp "$libs/*" "$root/scripts/jdbc/JdbcCheck.java" "$@"
    ;;
  *)
    echo "usage: scripts/jdbc.sh check <jdbc url> <user> <password> <database> <query>" >&2
    exit 2
    ;;
esac
