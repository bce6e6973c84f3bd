#!/bin/bash
# mk/deps.sh: what a target uses is installed as root, or named with the
# exact line to type.  Run on a PATH made here, where one tool is missing
# (procps's pgrep, the one the tests use most), and with a stand-in apt-get
# that records what it was asked to install.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

FAKE=$T_SCRATCH/path
mkdir -p "$FAKE"
# Every tool deps.sh looks for or runs, from this machine, but pgrep.
for t in sh id ls find head cc gcc make pkg-config tmux pkill ps setpriv fincore \
         script strace xxd patch timeout clang x86_64-w64-mingw32-gcc; do
    p=$(command -v "$t") && ln -sf "$p" "$FAKE/$t"
done
cat > "$FAKE/apt-get" <<EOS
#!/bin/sh
echo "\$*" >> "$T_SCRATCH/apt-calls"
EOS
chmod 755 "$FAKE/apt-get"

if is_root; then
    : > "$T_SCRATCH/apt-calls"
    out=$(PATH=$FAKE sh mk/deps.sh check 2>&1); rc=$?
    expect_eq "as root with pgrep missing, deps.sh check exits 0" 0 "$rc"
    expect_match "...after installing procps with apt-get" \
        "^install -y -q --no-install-recommends.* procps( |$)" "$(cat "$T_SCRATCH/apt-calls")"
    expect_match "...and says what it installs" "installing what 'check' uses:.* procps" "$out"
else
    skip "as root, the missing package is installed" "needs root"
fi

# jansson, which reads the trace back, is a build dependency: with no .pc
# file for pkg-config to find (PKG_CONFIG_LIBDIR: an empty directory), the
# build asks for libjansson-dev.  ncurses and cmocka are also found by
# their headers, so they are not asked for.
NOPC=$T_SCRATCH/no-pc
mkdir -p "$NOPC"
if is_root; then
    : > "$T_SCRATCH/apt-calls"
    out=$(PATH=$FAKE PKG_CONFIG_LIBDIR=$NOPC PKG_CONFIG_PATH= sh mk/deps.sh build 2>&1); rc=$?
    expect_eq "as root without jansson, deps.sh build exits 0" 0 "$rc"
    expect_match "...after installing libjansson-dev with apt-get" \
        "^install -y -q --no-install-recommends.* libjansson-dev( |$)" "$(cat "$T_SCRATCH/apt-calls")"
    expect_no_match "...and not ncurses, whose header is there" "libncurses-dev" \
        "$(cat "$T_SCRATCH/apt-calls")"
else
    skip "as root, jansson is installed for the build" "needs root"
fi

if is_root && id nobody >/dev/null 2>&1; then
    # A copy nobody can read (the tree may be in root's home, mode 0700).
    cp mk/deps.sh "$T_SCRATCH/deps.sh" && chmod 644 "$T_SCRATCH/deps.sh"
    : > "$T_SCRATCH/apt-calls" && chmod 666 "$T_SCRATCH/apt-calls"
    out=$(cd / && as_user nobody env PATH="$FAKE" sh "$T_SCRATCH/deps.sh" check 2>&1); rc=$?
    expect_eq "not root, a missing required package stops the target (exit 1)" 1 "$rc"
    expect_match "...with the exact line to type" "^    sudo apt-get install.* procps( |$)" "$out"
    expect_eq "...and nothing was installed" "" "$(cat "$T_SCRATCH/apt-calls")"
    out=$(cd / && as_user nobody env PATH="$FAKE" PKG_CONFIG_LIBDIR="$NOPC" PKG_CONFIG_PATH= \
        sh "$T_SCRATCH/deps.sh" build 2>&1); rc=$?
    expect_eq "not root, without jansson the build stops (exit 1)" 1 "$rc"
    expect_match "...with the line to type" "^    sudo apt-get install.* libjansson-dev( |$)" "$out"
else
    skip "not root, the line to type" "needs root and the user nobody to switch to"
fi

# Each tool the tests, the lessons' commands and the scenes run is one that
# deps.sh looks for: a tool missing here would fail as "command not found".
for t in pgrep pkill ps tmux setpriv fincore script strace xxd patch timeout clang \
         x86_64-w64-mingw32-gcc; do
    if grep -Eq "have $t( |\$|\))" mk/deps.sh; then ok "deps.sh looks for $t"
    else not_ok "deps.sh looks for $t" "no 'have $t' in mk/deps.sh"; fi
done

done_testing
