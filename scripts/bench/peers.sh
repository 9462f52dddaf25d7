# Sourced by the benchmark scripts: their peers, installed when missing (as root: Debian
# packages, PyPI), and what a benchmark does when one cannot be had.
#
#   peer_apt COMMAND PACKAGE...    the command, or its Debian packages installed
#   peer_apt_if TEST PACKAGE...    the same where a shell test says whether the peer is there
#   peer_pip MODULE PACKAGE        the Python module, or its PyPI package installed
#   peer_missing WHAT              stops the benchmark: exit 2, or in a smoke run (BENCH_SMOKE=1)
#                                  exit 77 after a PEER MISSING line, which smoke.sh reports as
#                                  a skipped benchmark, not a passed one

peer_root() { [ "$(id -u)" -eq 0 ]; }

peer_apt_if() {
    local test=$1
    shift
    eval "$test" >/dev/null 2>&1 && return 0
    peer_root || return 1
    echo "installing $* (Debian)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$@" >&2 ||
        { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2; } || return 1
    eval "$test" >/dev/null 2>&1
}

peer_apt() {
    local cmd=$1
    shift
    peer_apt_if "command -v '$cmd'" "$@"
}

peer_pip() {
    local module=$1 package=$2
    python3 -c "import $module" 2>/dev/null && return 0
    echo "installing $package (PyPI) for python3" >&2
    python3 -m pip install -q "$package" >&2 ||
        python3 -m pip install -q --break-system-packages "$package" >&2 ||
        { peer_root && peer_apt pip3 python3-pip && python3 -m pip install -q --break-system-packages "$package" >&2; } ||
        return 1
    python3 -c "import $module" 2>/dev/null
}

peer_missing() {
    if [ "${BENCH_SMOKE:-0}" = 1 ]; then
        echo "PEER MISSING: $*" >&2
        exit 77
    fi
    echo "$*" >&2
    exit 2
}

# The kinga binary a benchmark measures: KINGA_BIN if set; in a smoke run the debug build
# (`cargo test` has built it; built here if not), else a release build.
kinga_binary() {
    local root=$1 target=${CARGO_TARGET_DIR:-$1/target}
    if [ -n "${KINGA_BIN:-}" ]; then
        echo "$KINGA_BIN"
    elif [ "${BENCH_SMOKE:-0}" = 1 ]; then
        (cd "$root" && cargo build -q -p kinga >&2)
        echo "$target/debug/kinga"
    else
        (cd "$root" && cargo build --release -p kinga >&2)
        echo "$target/release/kinga"
    fi
}
