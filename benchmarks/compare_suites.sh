#!/bin/bash
# The whole test suite beside an older one, interleaved (old, new, new, old) so that both see the
# same drift of a shared machine. Usage, from the repository root:
#   git worktree add --detach ../wt-base 31af08c      # the suite before issue 12
#   benchmarks/compare_suites.sh ../wt-base [OUT]      # OUT: /tmp/suite-pair by default
# The old suite runs serially with `pytest`, as its `make test` did; the new one as `make test`
# runs it. Each run's log ends with /usr/bin/time's line: wall, user and sys seconds.
set -u
base=$(cd "$1" && pwd)
out=${2:-/tmp/suite-pair}
here=$(pwd)
py=$here/.venv/bin/python
mkdir -p "$out"
run() {
    local name=$1 dir=$2
    shift 2
    (cd "$dir" && /usr/bin/time -f "%e s wall %U user %S sys" env QT_QPA_PLATFORM=offscreen "$@" \
        >"$out/$name.log" 2>&1)
    echo "$name: $(tail -1 "$out/$name.log")"
}
old=(env "PYTHONPATH=$base" "$py" -m pytest -q -p no:cacheprovider)
new=("$py" -m pytest -n auto --dist worksteal -q -p no:cacheprovider)
run old1 "$base" "${old[@]}"
run new1 "$here" "${new[@]}"
run new2 "$here" "${new[@]}"
run old2 "$base" "${old[@]}"
