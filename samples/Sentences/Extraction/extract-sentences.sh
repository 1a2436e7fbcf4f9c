#!/usr/bin/env bash
# Regenerates samples/data/sentences.tsv.gz (language<TAB>sentence), samples/data/COPYRIGHT-fortunes.txt and the GPL
# texts (LICENSE-GPL-2.txt, LICENSE-GPL-3.txt, from a Debian system's /usr/share/common-licenses) from the
# Debian fortunes packages: downloads them with apt-get (no installation, no root needed), unpacks them with dpkg-deb
# into a temporary directory, and runs ExtractSentences.cs (a .NET file-based program) over them.
# Usage: samples/Sentences/Extraction/extract-sentences.sh [sentences per language, default 1000]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$(cd "$here/../../data" && pwd)"
cap="${1:-1000}"
packages=(fortunes-cs fortunes-de fortunes-min fortunes-eo fortunes-es fortunes-it fortunes-pl fortunes-br)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/unpacked"
(cd "$work/debs" && apt-get download "${packages[@]}")

copyright="$data/COPYRIGHT-fortunes.txt"
{
    echo "Copyright and licence files of the Debian packages the sentences in sentences.tsv.gz come from,"
    echo "each copied unchanged from usr/share/doc/<package>/copyright."
} > "$copyright"
for package in "${packages[@]}"; do
    deb=("$work/debs/${package}"_*.deb)
    dpkg-deb -x "${deb[0]}" "$work/unpacked/$package"
    version="$(dpkg-deb -f "${deb[0]}" Version)"
    echo "$package $version"
    {
        echo
        echo "=============================================================================="
        echo "$package $version"
        echo "=============================================================================="
        echo
        cat "$work/unpacked/$package/usr/share/doc/$package/copyright"
    } >> "$copyright"
done

# The GPL texts the copyright files refer to (fortunes-de, -es, -pl, -br: GPL-2+; fortunes-cs: GPL-3+).
cp /usr/share/common-licenses/GPL-2 "$data/LICENSE-GPL-2.txt"
cp /usr/share/common-licenses/GPL-3 "$data/LICENSE-GPL-3.txt"

(cd "$here" && dotnet run ExtractSentences.cs -- "$work/unpacked" "$work/sentences.tsv" "$cap")
gzip -n -9 -c "$work/sentences.tsv" > "$data/sentences.tsv.gz"
echo "wrote $data/sentences.tsv.gz ($(stat -c %s "$data/sentences.tsv.gz") bytes) and $copyright"
