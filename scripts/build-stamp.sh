#!/bin/sh
# build-stamp.sh CHECKOUT OUTPUT_FOLDER — run before every build by the BuildStamp plugin
# (Plugins/BuildStamp): writes OUTPUT_FOLDER/BuildStamp+Generated.swift with the commit of the
# git checkout CHECKOUT (HEAD) and whether its tracked files differ from it, as
# `BuildStamp.current` (Sources/Pipeline/Bundle/BuildStamp.swift). The file is rewritten only
# when its text changes, so a build with nothing new recompiles nothing. Without git, or
# outside a checkout, both values are nil ("unknown"). git runs read-only: no optional index
# writes, no fsmonitor, no hooks.
set -u
checkout=$1
output=$2
git_read() {
    git --no-optional-locks -c core.fsmonitor=false -c core.hooksPath=/dev/null -C "$checkout" "$@" 2>/dev/null
}
commit=$(git_read rev-parse --verify HEAD) || commit=
case $commit in
    *[!0-9a-f]* | "") stamp='BuildStamp(commit: nil, dirty: nil)' ;;
    *)
        if changes=$(git_read status --porcelain --untracked-files=no); then
            if [ -n "$changes" ]; then dirty=true; else dirty=false; fi
        else
            dirty=nil
        fi
        stamp="BuildStamp(commit: \"$commit\", dirty: $dirty)"
        ;;
esac
text="// Written by scripts/build-stamp.sh before the build (the BuildStamp plugin); not in git.
extension BuildStamp {
    /// The checkout this binary was built from (see \`BuildStamp\`).
    public static let current = $stamp
}"
mkdir -p "$output" || exit 1
file=$output/BuildStamp+Generated.swift
if [ ! -f "$file" ] || [ "$(cat "$file")" != "$text" ]; then
    printf '%s\n' "$text" > "$file.tmp" && mv "$file.tmp" "$file"
fi
