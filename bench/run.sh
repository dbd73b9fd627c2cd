#!/usr/bin/env bash
# The benchmark of issues 4 and 11, in one command:
#
#   bench/run.sh [--quick] [--only s1,s2,...] [--runs N] [--secs S]
#   bench/run.sh --serve     # only start the server (for profiling), until Ctrl-C or 1 hour
#
# Installs what is missing (nginx, wrk, h2load, curl, openssl from Debian), builds the
# benchmark in release mode, starts its own nginx (not the system service: its own prefix,
# config and pid file in a temporary directory, one worker pinned to core 0) with a CA and
# a leaf certificate made here, runs every scenario with every client pinned to core 1, and
# writes the markdown table to bench/results.md. Only 127.0.0.1 is used. It stops the nginx
# it started (by its pid file) and removes the temporary directory on exit.
# A full run takes about 3 minutes after the first build; --quick (1 run, 1 s each) under one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

RUNS=3
SECS=2
ONLY=""
SERVE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) RUNS=1; SECS=1 ;;
        --runs) RUNS=$2; shift ;;
        --secs) SECS=$2; shift ;;
        --only) ONLY=$2; shift ;;
        --serve) SERVE=1 ;;
        *) echo "usage: bench/run.sh [--quick] [--only s1,s2,...] [--runs N] [--secs S]" >&2; exit 2 ;;
    esac
    shift
done
OUT=${BENCH_OUT:-$ROOT/bench/results.md}
PORT_H1=${BENCH_PORT_H1:-18080}
PORT_TLS=${BENCH_PORT_TLS:-18443}
PORT_H2C=${BENCH_PORT_H2C:-18082}
# S7's ten origins: ten more ports of the same nginx, HTTP/1.1 and HTTPS (h2).
ORIGINS_H1=${BENCH_ORIGINS_H1:-18100}
ORIGINS_TLS=${BENCH_ORIGINS_TLS:-18200}
H1_LISTEN=""; TLS_LISTEN=""; H1_ORIGINS=""; TLS_ORIGINS=""
for i in $(seq 0 9); do
    H1_LISTEN+="listen 127.0.0.1:$((ORIGINS_H1 + i)); "
    TLS_LISTEN+="listen 127.0.0.1:$((ORIGINS_TLS + i)) ssl http2; "
    H1_ORIGINS+="${H1_ORIGINS:+,}http://127.0.0.1:$((ORIGINS_H1 + i))"
    TLS_ORIGINS+="${TLS_ORIGINS:+,}https://127.0.0.1:$((ORIGINS_TLS + i))"
done

missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
command -v taskset >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "==> building the benchmark (release)" >&2
cargo build --release --locked -p httplib-bench
BIN=$ROOT/target/release/httplib-bench

WORK=$(mktemp -d /tmp/httplib-bench.XXXXXX)
cleanup() {
    if [ -s "$WORK/nginx.pid" ]; then
        pid=$(cat "$WORK/nginx.pid")
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
chmod 755 "$WORK"
mkdir -p "$WORK/www" "$WORK/tmp" "$WORK/logs"

echo "==> certificates and files in $WORK" >&2
# rustls refuses a CA certificate used as the server's own: make a CA, and a leaf it signs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=httplib bench CA" -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$WORK/leaf.key" -out "$WORK/leaf.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
    -CAcreateserial -days 2 -extfile "$WORK/leaf.ext" -out "$WORK/leaf.pem" 2>/dev/null
printf 'Hello, world!' >"$WORK/www/small"
head -c $((1024 * 1024)) /dev/urandom >"$WORK/www/1m"
head -c $((256 * 1024 * 1024)) /dev/urandom >"$WORK/www/256m"
chmod -R a+rX "$WORK/www"

cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    http2_max_concurrent_streams 128;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    root $WORK/www;
    # /small from memory, not from its file: an open, fstat, sendfile and close per request
    # made nginx the bound of S2 and S3 on these two-core machines.
    server { listen 127.0.0.1:$PORT_H1; $H1_LISTEN location = /small { return 200 "Hello, world!"; } }
    server { listen 127.0.0.1:$PORT_H2C http2; location = /small { return 200 "Hello, world!"; } }
    server {
        listen 127.0.0.1:$PORT_TLS ssl http2;
        $TLS_LISTEN
        ssl_certificate $WORK/leaf.pem;
        ssl_certificate_key $WORK/leaf.key;
        ssl_protocols TLSv1.3;
        location = /small { return 200 "Hello, world!"; }
    }
}
EOF
echo "==> starting nginx on core 0 (127.0.0.1:$PORT_H1 HTTP/1.1, :$PORT_TLS HTTPS+h2, :$PORT_H2C h2c)" >&2
taskset -c 0 "$NGINX" -p "$WORK" -c "$WORK/nginx.conf"
for _ in $(seq 50); do [ -s "$WORK/nginx.pid" ] && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT_H1/small"
curl -sf -o /dev/null --cacert "$WORK/ca.pem" "https://127.0.0.1:$PORT_TLS/small"

CHILD_ARGS="--h1 http://127.0.0.1:$PORT_H1 --tls https://127.0.0.1:$PORT_TLS --h2c http://127.0.0.1:$PORT_H2C --h1-origins $H1_ORIGINS --tls-origins $TLS_ORIGINS --ca $WORK/ca.pem --secs $SECS"
if [ -n "$SERVE" ]; then
    echo "==> serving; one measurement, e.g. under callgrind with a fixed request count:" >&2
    echo "    BENCH_REQUESTS=2000 valgrind --tool=callgrind $BIN child s1 httplib $CHILD_ARGS" >&2
    sleep "${BENCH_SERVE_SECS:-3600}"
    exit 0
fi
echo "==> running ($RUNS runs, ${SECS}s per measurement), clients on core 1" >&2
ARGS=(all --h1 "http://127.0.0.1:$PORT_H1" --tls "https://127.0.0.1:$PORT_TLS"
    --h2c "http://127.0.0.1:$PORT_H2C" --h1-origins "$H1_ORIGINS" --tls-origins "$TLS_ORIGINS"
    --ca "$WORK/ca.pem" --runs "$RUNS" --secs "$SECS"
    --out "$OUT" --lock "$ROOT/Cargo.lock")
[ -n "$ONLY" ] && ARGS+=(--only "$ONLY")
taskset -c 1 "$BIN" "${ARGS[@]}"
